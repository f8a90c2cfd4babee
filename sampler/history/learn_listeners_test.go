package history

import (
	"testing"

	"github.com/porttop/porttop/sampler"
)

// TestLearnListenersJudgesAcceptedWithoutCounting: a listener taught from
// a snapshot (a narrowed sampler's, whose Existing opens the tracker is not
// fed) counts nothing itself, yet the connections it accepts are accepted,
// not hand-outs; taught again and then reported by the machine-wide first
// batch as well, it is still one listener, so its close leaves none.
func TestLearnListenersJudgesAcceptedWithoutCounting(t *testing.T) {
	const port = 8080
	listener := tcpSock(port, 0, sampler.StateListen, 300, "srv")
	tr := NewTracker(16)
	tr.LearnListeners([]sampler.Socket{listener, tcpSock(50000, 443, sampler.StateEstablished, 400, "curl")})
	if h := tr.Port(sampler.TCP, port); h.HandedOut != 0 || h.Accepted != 0 || h.InUse != 0 || !h.LastSeen.IsZero() {
		t.Errorf("learning a listener counted something: %+v", h)
	}
	for i, client := range []uint16{50001, 50002, 50003} {
		sec := 1 + 2*i
		conn := tcpSock(port, client, sampler.StateEstablished, 300, "srv")
		tr.LearnListeners([]sampler.Socket{listener, conn})
		tr.Observe([]sampler.Event{open(sec, conn)})
		tr.Observe([]sampler.Event{closeAt(sec+1, sec, conn)})
	}
	if h := tr.Port(sampler.TCP, port); h.HandedOut != 0 || h.Accepted != 3 || h.TotalHeld != 0 {
		t.Errorf("accepted beside a learned listener: handed out %d, accepted %d, held %v; want 0, 3, 0", h.HandedOut, h.Accepted, h.TotalHeld)
	}

	existing := open(0, listener) // the machine-wide first batch's report of it
	existing.Existing = true
	tr.Observe([]sampler.Event{existing})
	tr.Observe([]sampler.Event{closeAt(10, 0, listener)})
	client := tcpSock(port, 443, sampler.StateEstablished, 500, "wget") // a client given the port
	tr.Observe([]sampler.Event{open(11, client)})
	if h := tr.Port(sampler.TCP, port); h.HandedOut != 1 || h.Accepted != 3 {
		t.Errorf("after the listener closed: handed out %d, accepted %d; want 1 (the client), 3: a listener counted twice outlived its close", h.HandedOut, h.Accepted)
	}
}

// TestCloseOfAnUnknownListenerKeepsAnother: the close of a listener the
// tracker never knew does not take away another listener's port.
func TestCloseOfAnUnknownListenerKeepsAnother(t *testing.T) {
	const port = 9090
	known := tcpSock(port, 0, sampler.StateListen, 300, "srv")
	unknown := known
	unknown.Cookie = 77 // another socket on the same address
	tr := NewTracker(16)
	tr.Observe([]sampler.Event{open(1, known)})
	tr.Observe([]sampler.Event{closeAt(2, 0, unknown)})
	conn := tcpSock(port, 50000, sampler.StateEstablished, 300, "srv")
	tr.Observe([]sampler.Event{open(3, conn)})
	if h := tr.Port(sampler.TCP, port); h.Accepted != 1 || h.HandedOut != 1 {
		t.Errorf("handed out %d, accepted %d; want 1 (the listener's bind), 1", h.HandedOut, h.Accepted)
	}
}
