package history

import (
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// An accepted connection's close releases no port, whatever its listener did
// since it opened: closed in the same sample (a server stopped) or earlier
// (server-side TIME_WAIT outlives the listener). Judged with per-use detail
// and without it (detail off or evicted).
func TestAcceptedCloseAfterListenerHoldsNothing(t *testing.T) {
	const port = 8080
	listener := tcpSock(port, 0, sampler.StateListen, 300, "srv")
	conn := func(client uint16) sampler.Socket {
		return tcpSock(port, client, sampler.StateEstablished, 300, "srv")
	}
	timeWait := conn(50001)
	timeWait.State = sampler.StateTimeWait
	serverKilled := func(tr *Tracker) {
		tr.Observe([]sampler.Event{open(1, listener)})
		var closes []sampler.Event
		for _, c := range []uint16{50001, 50002, 50003} {
			tr.Observe([]sampler.Event{open(2, conn(c))})
			closes = append(closes, closeAt(100, 2, conn(c)))
		}
		tr.Observe(append([]sampler.Event{closeAt(100, 1, listener)}, closes...))
	}
	cases := []struct {
		name                string
		feed                func(*Tracker)
		handedOut, accepted int
		held                time.Duration
	}{
		{"server killed: listener and connections close in one sample", serverKilled, 1, 3, 99 * time.Second},
		{"accepted connection in TIME_WAIT outlives its listener", func(tr *Tracker) {
			tr.Observe([]sampler.Event{open(1, listener)})
			tr.Observe([]sampler.Event{open(2, conn(50001))})
			tr.Observe([]sampler.Event{closeAt(10, 1, listener)})
			tr.Observe([]sampler.Event{closeAt(70, 2, timeWait)})
		}, 1, 1, 9 * time.Second},
		{"accepted before porttop started, closing after its listener", func(tr *Tracker) {
			first := []sampler.Event{open(0, listener), open(0, conn(50001))}
			for i := range first {
				first[i].Existing = true
			}
			tr.Observe(first)
			tr.Observe([]sampler.Event{closeAt(10, 0, listener), closeAt(10, 0, conn(50001))})
		}, 0, 0, 10 * time.Second},
		{"connection closed after the port was reused by a hand-out is a release", func(tr *Tracker) {
			serverKilled(tr)
			client := tcpSock(port, 443, sampler.StateEstablished, 500, "wget")
			tr.Observe([]sampler.Event{open(110, client)})
			tr.Observe([]sampler.Event{closeAt(115, 110, client)})
		}, 2, 3, 104 * time.Second},
	}
	for _, c := range cases {
		for _, capacity := range []int{16, 0} {
			tr := NewTracker(capacity)
			c.feed(tr)
			h := tr.Port(sampler.TCP, port)
			if h.HandedOut != c.handedOut || h.Accepted != c.accepted || h.TotalHeld != c.held || h.InUse != 0 {
				t.Errorf("%s (detail for %d ports): handed out %d, accepted %d, held %v, in use %d; want %d, %d, %v, 0",
					c.name, capacity, h.HandedOut, h.Accepted, h.TotalHeld, h.InUse, c.handedOut, c.accepted, c.held)
			}
		}
	}
}

// With its listener gone, a port can hold a lingering accepted connection
// and a client given the same port number at once; the detail remembers
// which is which, so each close is judged by its own socket.
func TestDetailTellsAcceptedFromHandOutOnOnePort(t *testing.T) {
	const port = 8080
	listener := tcpSock(port, 0, sampler.StateListen, 300, "srv")
	lingering := tcpSock(port, 50001, sampler.StateTimeWait, 300, "srv")
	client := tcpSock(port, 443, sampler.StateEstablished, 500, "wget")
	tr := NewTracker(16)
	tr.Observe([]sampler.Event{open(1, listener)})
	tr.Observe([]sampler.Event{open(2, lingering)})
	tr.Observe([]sampler.Event{closeAt(10, 1, listener)})
	tr.Observe([]sampler.Event{open(20, client)})
	tr.Observe([]sampler.Event{closeAt(25, 20, client)})
	tr.Observe([]sampler.Event{closeAt(60, 2, lingering)})
	h := tr.Port(sampler.TCP, port)
	if h.HandedOut != 2 || h.Accepted != 1 || h.TotalHeld != 14*time.Second {
		t.Errorf("handed out %d, accepted %d, held %v; want 2, 1, 14s (listener 9s + client 5s)", h.HandedOut, h.Accepted, h.TotalHeld)
	}
	if len(h.Recent) != 3 {
		t.Fatalf("recent uses %+v: want 3", h.Recent)
	}
	for _, u := range h.Recent {
		if u.Accepted != (u.Remote == lingering.Remote) {
			t.Errorf("use by %s from %v marked accepted=%v: want only the lingering connection marked", u.Process, u.Remote, u.Accepted)
		}
	}
}
