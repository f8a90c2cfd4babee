package poll

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// recentGone remembers, for a while and up to a size, the IDs that have just
// left the table, so that a late release is not reported a second time and a
// sample taken just before a release does not re-open the socket.
type recentGone struct {
	ttl   time.Duration
	limit int
	byID  map[sampler.ID]goneEntry
	order []goneRef // oldest first; entries may be stale (re-added IDs)
	head  int
}

type goneEntry struct {
	at       time.Time
	released bool // learned from a release (so samples may still show it)
}

type goneRef struct {
	id sampler.ID
	at time.Time
}

func newRecentGone(ttl time.Duration, limit int) *recentGone {
	return &recentGone{ttl: ttl, limit: limit, byID: map[sampler.ID]goneEntry{}}
}

func (r *recentGone) add(id sampler.ID, at time.Time, released bool) {
	if old, ok := r.byID[id]; ok && old.released {
		released = true
	}
	r.byID[id] = goneEntry{at: at, released: released}
	r.order = append(r.order, goneRef{id, at})
	for len(r.byID) > r.limit {
		r.popOldest()
	}
}

func (r *recentGone) has(id sampler.ID) bool {
	_, ok := r.byID[id]
	return ok
}

// released reports whether id left by a release, not by a sample.
func (r *recentGone) released(id sampler.ID) bool { return r.byID[id].released }

// expire forgets entries older than the ttl at now.
func (r *recentGone) expire(now time.Time) {
	for r.head < len(r.order) && now.Sub(r.order[r.head].at) > r.ttl {
		r.popOldest()
	}
}

func (r *recentGone) popOldest() {
	if r.head >= len(r.order) {
		return
	}
	ref := r.order[r.head]
	r.order[r.head] = goneRef{}
	r.head++
	if e, ok := r.byID[ref.id]; ok && e.at.Equal(ref.at) {
		delete(r.byID, ref.id)
	}
	// Reclaim the consumed front once it is most of the slice.
	if r.head > 1024 && r.head*2 > len(r.order) {
		r.order = append(r.order[:0], r.order[r.head:]...)
		r.head = 0
	}
}
