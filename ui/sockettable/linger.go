package sockettable

import (
	"maps"
	"slices"
	"time"

	"github.com/porttop/porttop/sampler"
)

// lingering is a closed socket still on show, dimmed, until until.
type lingering struct {
	s     sampler.Socket
	held  time.Duration
	until time.Time
}

// lingerSet is the closed sockets still on show: by cookie where they
// have one (an 8-byte key: each batch looks every row of the table up in
// it, and 2,000 closes a second keep 10-20k of them), by the whole ID
// otherwise. A set handed out is never written (a Preparer reads it from
// another goroutine): a change is made to a clone.
type lingerSet struct {
	byCookie map[uint64]*lingering
	byID     map[sampler.ID]*lingering
}

func (s lingerSet) len() int { return len(s.byCookie) + len(s.byID) }

// get is the lingering socket of id.
func (s lingerSet) get(id sampler.ID) (*lingering, bool) {
	if id.Cookie != 0 {
		l, ok := s.byCookie[id.Cookie]
		return l, ok && l.s.ID == id
	}
	l, ok := s.byID[id]
	return l, ok
}

func (s *lingerSet) put(l *lingering) {
	if c := l.s.Cookie; c != 0 {
		if s.byCookie == nil {
			s.byCookie = map[uint64]*lingering{}
		}
		s.byCookie[c] = l
		return
	}
	if s.byID == nil {
		s.byID = map[sampler.ID]*lingering{}
	}
	s.byID[l.s.ID] = l
}

// del forgets id's lingering socket, reporting whether there was one.
func (s *lingerSet) del(id sampler.ID) bool {
	if _, ok := s.get(id); !ok {
		return false
	}
	if id.Cookie != 0 {
		delete(s.byCookie, id.Cookie)
	} else {
		delete(s.byID, id)
	}
	return true
}

// all calls f for each lingering socket.
func (s lingerSet) all(f func(*lingering)) {
	for _, l := range s.byCookie {
		f(l)
	}
	for _, l := range s.byID {
		f(l)
	}
}

// clone is a copy of s to write.
func (s lingerSet) clone() lingerSet {
	return lingerSet{byCookie: maps.Clone(s.byCookie), byID: maps.Clone(s.byID)}
}

// keep is the set of s's sockets whose time is not up at now (a new set).
func (s lingerSet) keep(now time.Time) lingerSet {
	var kept lingerSet
	s.all(func(l *lingering) {
		if now.Before(l.until) {
			kept.put(l)
		}
	})
	return kept
}

// anyDue reports whether some socket's time is up at now.
func (s lingerSet) anyDue(now time.Time) bool {
	due := false
	s.all(func(l *lingering) { due = due || !now.Before(l.until) })
	return due
}

// maxLingering bounds the closed sockets on show. Each is a copy of its
// socket (~240 bytes with its place in the set), and a machine closes
// thousands a second: 2,000 connections a second kept ~16k on show (4 MB
// at BIG=1 in .ci/bench), a burst of TIME_WAIT expiries ~50k (16 MB).
// Past the bound the latest closed stay, each for a shorter while: a
// screen shows a few dozen of them anyway.
const maxLingering = 8192

// bounded is s with at most n sockets: those whose time ends last, in a
// new set (s is never written); s itself when it holds no more.
func (s lingerSet) bounded(n int) lingerSet {
	if s.len() <= n {
		return s
	}
	all := make([]*lingering, 0, s.len())
	s.all(func(l *lingering) { all = append(all, l) })
	slices.SortFunc(all, func(a, b *lingering) int {
		if c := b.until.Compare(a.until); c != 0 {
			return c
		}
		return byPort(&a.s, &b.s) // ties (a batch's closes) in a fixed order
	})
	var kept lingerSet
	for _, l := range all[:n] {
		kept.put(l)
	}
	return kept
}
