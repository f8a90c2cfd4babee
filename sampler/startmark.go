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
	first time.Time       // the first sample's time; zero before it
	open  map[ID]struct{} // the first sample's sockets not closed yet
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
		if s.open == nil {
			s.open = make(map[ID]struct{})
		}
		s.open[e.Socket.ID] = struct{}{}
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
	if len(s.open) == 0 {
		return
	}
	var closed []ID
	for _, events := range lists {
		for i := range events {
			e := &events[i]
			if e.Kind != Closed {
				continue
			}
			if _, ok := s.open[e.Socket.ID]; ok {
				e.HeldAtLeast = true
				closed = append(closed, e.Socket.ID)
			}
		}
	}
	for _, id := range closed {
		delete(s.open, id)
	}
}

// OpenAtStart reports whether sock was open at the first sample and has not
// closed since: it was open before porttop started, so its Since (the first
// sample) is a lower bound.
func (s *StartMark) OpenAtStart(sock *Socket) bool {
	_, ok := s.open[sock.ID]
	return ok
}
