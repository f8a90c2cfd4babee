package poll

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// recentGone remembers, for a while and up to a size, the IDs that have just
// left the table, so that a late release is not reported a second time and a
// sample taken just before a release does not re-open the socket. IDs with
// a cookie (release keys: see releaseKey) are kept by cookie alone, 8
// bytes, not by the 80-byte ID, with the protocol, the time and the
// released mark in one word (goneAt): a map slot of 16 bytes and an order
// entry of 16. Under churn it holds tens of thousands (4 MB at ~100k
// sockets and 2,000 connections a second: 94 bytes a gone socket; 47 now,
// TestRecentGoneSmallPerCookie).
type recentGone struct {
	ttl     time.Duration
	limit   int
	cookies recentSet[uint64]
	// ids are the IDs without a cookie, and a cookie's key for a second
	// protocol (never in the kernel: cookies are unique across protocols).
	ids recentSet[sampler.ID]
}

// cookieKey is a release key with a cookie.
type cookieKey struct {
	cookie uint64
	proto  sampler.Proto
}

// recentSet is recentGone's memory for one kind of key.
type recentSet[K comparable] struct {
	byKey map[K]goneAt
	order []goneRef[K] // oldest first; entries may be stale (re-added keys)
	head  int
}

// goneAt is an entry: when the key left (Unix nanoseconds, to 8 ns), its
// protocol (bits 1-2) and whether a release told it (bit 0).
type goneAt int64

// goneAtProtos is the most a protocol packed in a goneAt may be.
const goneAtProtos = 3

func packGone(at int64, p sampler.Proto, released bool) goneAt {
	g := goneAt(at&^7 | int64(p&goneAtProtos)<<1)
	if released {
		g |= 1
	}
	return g
}

func (g goneAt) at() int64            { return int64(g) &^ 7 }
func (g goneAt) proto() sampler.Proto { return sampler.Proto(g>>1) & goneAtProtos }
func (g goneAt) released() bool       { return g&1 != 0 }

type goneRef[K comparable] struct {
	key K
	at  goneAt
}

func newRecentGone(ttl time.Duration, limit int) *recentGone {
	return &recentGone{ttl: ttl, limit: limit}
}

func (r *recentGone) add(id sampler.ID, at time.Time, released bool) {
	g := packGone(at.UnixNano(), id.Proto, released)
	if r.byCookie(id) {
		if e, ok := r.cookies.byKey[id.Cookie]; !ok || e.proto() == id.Proto {
			r.cookies.add(id.Cookie, g)
		} else {
			r.ids.add(sampler.ID{Cookie: id.Cookie, Proto: id.Proto}, g)
		}
	} else {
		r.ids.add(id, g)
	}
	for r.len() > r.limit {
		r.popOldest()
	}
}

// byCookie reports whether id is kept by its cookie (a protocol that fits
// a goneAt; any, in practice).
func (r *recentGone) byCookie(id sampler.ID) bool {
	return id.Cookie != 0 && id.Proto <= goneAtProtos
}

func (r *recentGone) len() int { return len(r.cookies.byKey) + len(r.ids.byKey) }

func (r *recentGone) entry(id sampler.ID) (goneAt, bool) {
	if r.byCookie(id) {
		if e, ok := r.cookies.byKey[id.Cookie]; ok && e.proto() == id.Proto {
			return e, true
		}
		if len(r.ids.byKey) == 0 {
			return 0, false
		}
		id = sampler.ID{Cookie: id.Cookie, Proto: id.Proto}
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
	return e.released()
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

func (s *recentSet[K]) add(key K, g goneAt) {
	if s.byKey == nil {
		s.byKey = map[K]goneAt{}
	}
	if old, ok := s.byKey[key]; ok && old.released() {
		g |= 1
	}
	s.byKey[key] = g
	s.order = append(s.order, goneRef[K]{key, g})
}

// oldest is the time of the oldest entry in order, false when none.
func (s *recentSet[K]) oldest() (int64, bool) {
	if s.head >= len(s.order) {
		return 0, false
	}
	return s.order[s.head].at.at(), true
}

// expire pops the entries older than cut.
func (s *recentSet[K]) expire(cut int64) {
	for s.head < len(s.order) && s.order[s.head].at.at() < cut {
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
	if e, ok := s.byKey[ref.key]; ok && e.at() == ref.at.at() {
		delete(s.byKey, ref.key)
	}
	// Reclaim the consumed front once it is most of the slice.
	if s.head > 1024 && s.head*2 > len(s.order) {
		s.order = append(s.order[:0], s.order[s.head:]...)
		s.head = 0
	}
}
