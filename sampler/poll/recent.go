package poll

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// recentGone remembers, for a while and up to a size, the IDs that have just
// left the table, so that a late release is not reported a second time and a
// sample taken just before a release does not re-open the socket. IDs with
// a cookie (release keys: see releaseKey) are kept by cookie and protocol,
// 16 bytes, not by the 80-byte ID; times as Unix nanoseconds. Under churn it
// holds tens of thousands: a third of the memory the IDs and time.Time took.
type recentGone struct {
	ttl     time.Duration
	limit   int
	cookies recentSet[cookieKey]
	ids     recentSet[sampler.ID] // IDs without a cookie
}

// cookieKey is a release key with a cookie.
type cookieKey struct {
	cookie uint64
	proto  sampler.Proto
}

// recentSet is recentGone's memory for one kind of key.
type recentSet[K comparable] struct {
	byKey map[K]goneEntry
	order []goneRef[K] // oldest first; entries may be stale (re-added keys)
	head  int
}

type goneEntry struct {
	at       int64 // Unix nanoseconds
	released bool  // learned from a release (so samples may still show it)
}

type goneRef[K comparable] struct {
	key K
	at  int64
}

func newRecentGone(ttl time.Duration, limit int) *recentGone {
	return &recentGone{ttl: ttl, limit: limit}
}

func (r *recentGone) add(id sampler.ID, at time.Time, released bool) {
	ns := at.UnixNano()
	if id.Cookie != 0 {
		r.cookies.add(cookieKey{id.Cookie, id.Proto}, ns, released)
	} else {
		r.ids.add(id, ns, released)
	}
	for r.len() > r.limit {
		r.popOldest()
	}
}

func (r *recentGone) len() int { return len(r.cookies.byKey) + len(r.ids.byKey) }

func (r *recentGone) entry(id sampler.ID) (goneEntry, bool) {
	if id.Cookie != 0 {
		e, ok := r.cookies.byKey[cookieKey{id.Cookie, id.Proto}]
		return e, ok
	}
	e, ok := r.ids.byKey[id]
	return e, ok
}

func (r *recentGone) has(id sampler.ID) bool {
	_, ok := r.entry(id)
	return ok
}

// released reports whether id left by a release, not by a sample.
func (r *recentGone) released(id sampler.ID) bool {
	e, _ := r.entry(id)
	return e.released
}

// expire forgets entries older than the ttl at now.
func (r *recentGone) expire(now time.Time) {
	cut := now.UnixNano() - int64(r.ttl)
	r.cookies.expire(cut)
	r.ids.expire(cut)
}

// popOldest forgets the oldest entry of either kind.
func (r *recentGone) popOldest() {
	c, cok := r.cookies.oldest()
	i, iok := r.ids.oldest()
	if cok && (!iok || c <= i) {
		r.cookies.pop()
	} else if iok {
		r.ids.pop()
	}
}

func (s *recentSet[K]) add(key K, at int64, released bool) {
	if s.byKey == nil {
		s.byKey = map[K]goneEntry{}
	}
	if old, ok := s.byKey[key]; ok && old.released {
		released = true
	}
	s.byKey[key] = goneEntry{at: at, released: released}
	s.order = append(s.order, goneRef[K]{key, at})
}

// oldest is the time of the oldest entry in order, false when none.
func (s *recentSet[K]) oldest() (int64, bool) {
	if s.head >= len(s.order) {
		return 0, false
	}
	return s.order[s.head].at, true
}

// expire pops the entries older than cut.
func (s *recentSet[K]) expire(cut int64) {
	for s.head < len(s.order) && s.order[s.head].at < cut {
		s.pop()
	}
}

func (s *recentSet[K]) pop() {
	if s.head >= len(s.order) {
		return
	}
	ref := s.order[s.head]
	s.order[s.head] = goneRef[K]{}
	s.head++
	if e, ok := s.byKey[ref.key]; ok && e.at == ref.at {
		delete(s.byKey, ref.key)
	}
	// Reclaim the consumed front once it is most of the slice.
	if s.head > 1024 && s.head*2 > len(s.order) {
		s.order = append(s.order[:0], s.order[s.head:]...)
		s.head = 0
	}
}
