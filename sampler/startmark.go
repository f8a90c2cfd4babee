package sampler

import "time"

// StartMark tells the closes of sockets that were open before porttop
// started: one already there at the first sample (an Existing open) is first
// seen then, so the Held of its close counts from porttop's start, not from
// its open. Mark sets HeldAtLeast on those closes, so that a feed says "held
// at least 1.8s" rather than "held 1.8s" of a TIME_WAIT that had been
// waiting for a minute. It is for one stream of batches, in order; the zero
// value is ready. It remembers the first sample's sockets by ID until they
// close: memory bounded by that one snapshot. A socket that came into view
// when a filter changed is first seen then too, but is not marked: only
// porttop's start is a known bound.
type StartMark struct {
	first time.Time // the first sample's time; zero before it
	// open are the first sample's sockets not closed yet: by cookie and
	// protocol (16 bytes) where they have a cookie, by ID (80) where not;
	// held connections stay in it for as long as they live.
	open startSet
}

// startSet is a set of sockets, kept by cookie where they have one.
type startSet struct {
	byCookie map[cookieProto]struct{}
	byID     map[ID]struct{}
}

type cookieProto struct {
	cookie uint64
	proto  Proto
}

func (o *startSet) len() int { return len(o.byCookie) + len(o.byID) }

func (o *startSet) add(id ID) {
	if id.Cookie == 0 {
		if o.byID == nil {
			o.byID = make(map[ID]struct{})
		}
		o.byID[id] = struct{}{}
		return
	}
	if o.byCookie == nil {
		o.byCookie = make(map[cookieProto]struct{})
	}
	o.byCookie[cookieProto{id.Cookie, id.Proto}] = struct{}{}
}

func (o *startSet) has(id ID) bool {
	var ok bool
	if id.Cookie == 0 {
		_, ok = o.byID[id]
	} else {
		_, ok = o.byCookie[cookieProto{id.Cookie, id.Proto}]
	}
	return ok
}

func (o *startSet) remove(id ID) {
	if id.Cookie == 0 {
		delete(o.byID, id)
	} else {
		delete(o.byCookie, cookieProto{id.Cookie, id.Proto})
	}
}

// Observe takes a batch of the machine-wide stream: its first sample (the
// first batch with a time) sets porttop's start and the sockets open then,
// its Existing opens. Call it before Mark on the same batch.
func (s *StartMark) Observe(b *Batch) {
	if !s.first.IsZero() || b.Snapshot.Time.IsZero() {
		return
	}
	s.first = b.Snapshot.Time
	var existing time.Time
	for i := range b.Events {
		e := &b.Events[i]
		if !e.Existing || e.Kind != Opened {
			continue
		}
		s.open.add(e.Socket.ID)
		// A replay's first batch may reach past the recording's first
		// sample: its Existing opens' time is the start.
		if e.When().After(existing) {
			existing = e.When()
		}
	}
	if !existing.IsZero() {
		s.first = existing
	}
}

// First is the first sample's time, zero before it.
func (s *StartMark) First() time.Time { return s.first }

// Mark sets HeldAtLeast on the closes among events of sockets open at the
// first sample, and forgets them. The same close may come in several lists
// (the header's stream, the table's, the history's): each copy is marked.
func (s *StartMark) Mark(lists ...[]Event) {
	if s.open.len() == 0 {
		return
	}
	var closed []ID
	for _, events := range lists {
		for i := range events {
			e := &events[i]
			if e.Kind != Closed {
				continue
			}
			if s.open.has(e.Socket.ID) {
				e.HeldAtLeast = true
				closed = append(closed, e.Socket.ID)
			}
		}
	}
	for _, id := range closed {
		s.open.remove(id)
	}
}

// OpenAtStart reports whether sock was open at the first sample and has not
// closed since: it was open before porttop started, so its Since (the first
// sample) is a lower bound.
func (s *StartMark) OpenAtStart(sock *Socket) bool {
	return s.open.has(sock.ID)
}
