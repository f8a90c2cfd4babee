package sampler

import "time"

// EventKind says what happened to a socket.
type EventKind uint8

const (
	// Opened: a socket appeared, its local port handed out.
	Opened EventKind = iota + 1
	// Closed: a socket went away, its port released.
	Closed
	// StateChanged: the same socket moved from PrevState to Socket.State.
	StateChanged
)

func (k EventKind) String() string {
	switch k {
	case Opened:
		return "open"
	case Closed:
		return "close"
	case StateChanged:
		return "state"
	}
	return "?"
}

// Event is one change in the connection table.
type Event struct {
	Kind EventKind
	// Time is when the event is stamped in the stream, which is in time
	// order: never before an event published ahead of it.
	Time time.Time
	// Happened is when the kernel reported the event, before ordering the
	// stream moved Time forward (see the poller's stampInOrder); zero when
	// that is Time itself. Not recorded: a recording keeps the stream's order.
	Happened time.Time
	// Socket is the socket after the event; for Closed, as it was last seen.
	Socket Socket
	// PrevState is the state before a StateChanged event.
	PrevState State
	// Held is how long a Closed socket was in use (from first seen).
	Held time.Duration
	// HeldAtLeast marks a Closed socket that was already open at porttop's
	// first sample: Held counts from that sample, so it is a lower bound
	// (see StartMark).
	HeldAtLeast bool
	// Existing marks the Opened events of the first sample: sockets that were
	// there before porttop started, not handed out under its eyes.
	Existing bool
	// SeenAtEnd marks a socket that lived and died between two samples and is
	// known only from the kernel's report of its release.
	SeenAtEnd bool
}

// When is the time the event really happened: Happened when ordering the
// stream moved Time past it, else Time. Compare it, not Time, with the time
// span of another sampling (one that saw the event first hand).
func (e Event) When() time.Time {
	if !e.Happened.IsZero() {
		return e.Happened
	}
	return e.Time
}
