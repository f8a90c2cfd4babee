package sampler

import "time"

// StartMark tells the closes of sockets that were open before porttop
// started: one already there at the first sample is first seen then, so the
// Held of its close counts from porttop's start, not from its open. Mark
// sets HeldAtLeast on those closes, so that a feed says "held at least
// 1.8s" rather than "held 1.8s" of a TIME_WAIT that had been waiting for a
// minute. It is for one stream of batches, in order; the zero value is
// ready. A socket that came into view when a filter changed is first seen
// then too, but is not marked: only porttop's start is a known bound.
type StartMark struct {
	first time.Time // the first sample's time; zero before it
}

// slack covers a recording's held_ms, kept to the millisecond: a replayed
// close of a socket first seen at the first sample may read up to 1ms after
// it. No socket first seen in a later sample is that close to it (the
// shortest interval is 10ms).
const slack = time.Millisecond

// Observe takes a batch of the machine-wide stream: its first sample sets
// porttop's start. Call it before Mark on the same batch.
func (s *StartMark) Observe(b *Batch) {
	if s.first.IsZero() && !b.Snapshot.Time.IsZero() {
		s.first = b.Snapshot.Time
	}
}

// First is the first sample's time, zero before it.
func (s *StartMark) First() time.Time { return s.first }

// Mark sets HeldAtLeast on the closes among events of sockets first seen
// at the first sample (or before it, as a focused sampler may carry over).
func (s *StartMark) Mark(events []Event) {
	if s.first.IsZero() {
		return
	}
	for i := range events {
		e := &events[i]
		if e.Kind == Closed && s.FirstSeenAtStart(&e.Socket) {
			e.HeldAtLeast = true
		}
	}
}

// FirstSeenAtStart reports whether sock was first seen at the first sample,
// so was open before porttop started and its Since is a lower bound.
func (s *StartMark) FirstSeenAtStart(sock *Socket) bool {
	return !s.first.IsZero() && !sock.Since.IsZero() && !sock.Since.After(s.first.Add(slack))
}
