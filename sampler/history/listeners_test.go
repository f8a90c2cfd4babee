package history

import (
	"net/netip"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// A server port: its listener's bind is the one hand-out; the connections
// it accepts share the port and are counted apart, as the header does.
func TestAcceptedConnectionsAreNoHandOuts(t *testing.T) {
	const port = 8766
	listener := tcpSock(port, 0, sampler.StateListen, 300, "python3")
	listener.Remote = netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
	accepted := func(client uint16) sampler.Socket {
		return tcpSock(port, client, sampler.StateEstablished, 300, "python3")
	}
	tr := NewTracker(16)
	tr.Observe([]sampler.Event{open(1, listener)})
	for i, client := range []uint16{50001, 50002, 50003} {
		sec := 2 + 2*i
		tr.Observe([]sampler.Event{open(sec, accepted(client)), open(sec, tcpSock(client, port, sampler.StateEstablished, 400, "curl"))})
		tr.Observe([]sampler.Event{closeAt(sec+1, sec, accepted(client)), closeAt(sec+1, sec, tcpSock(client, port, sampler.StateEstablished, 400, "curl"))})
	}
	h := tr.Port(sampler.TCP, port)
	if h.HandedOut != 1 || h.Accepted != 3 || h.InUse != 1 || h.TotalHeld != 0 {
		t.Errorf("server port: handed out %d, accepted %d, in use %d, held %v; want 1, 3, 1, 0 (the listener's bind, still held)",
			h.HandedOut, h.Accepted, h.InUse, h.TotalHeld)
	}
	if len(h.Recent) != 4 || h.Recent[len(h.Recent)-1].Accepted || !h.Recent[0].Accepted {
		t.Errorf("recent uses %+v: want the three accepted connections marked, the listener not", h.Recent)
	}
	if c := tr.Port(sampler.TCP, 50002); c.HandedOut != 1 || c.Accepted != 0 || c.TotalHeld != time.Second {
		t.Errorf("client port: %+v; want one hand-out held 1s", c)
	}

	// The listener goes; a client then given the same port number hands it out.
	tr.Observe([]sampler.Event{closeAt(20, 1, listener)})
	tr.Observe([]sampler.Event{open(21, tcpSock(port, 443, sampler.StateEstablished, 500, "wget"))})
	h = tr.Port(sampler.TCP, port)
	if h.HandedOut != 2 || h.Accepted != 3 || h.TotalHeld != 19*time.Second {
		t.Errorf("after the listener closed: handed out %d, accepted %d, held %v; want 2, 3, 19s", h.HandedOut, h.Accepted, h.TotalHeld)
	}
}

// Within one batch the listeners are judged as they stand at its end, like
// the header's snapshot: order inside the batch does not matter.
func TestAcceptedJudgedByTheBatchsListeners(t *testing.T) {
	listener := tcpSock(9000, 0, sampler.StateListen, 1, "srv")
	conn := tcpSock(9000, 40000, sampler.StateEstablished, 1, "srv")
	existingListener := open(0, tcpSock(22, 0, sampler.StateListen, 2, "sshd"))
	existingListener.Existing = true
	udp := open(1, sampler.Socket{ID: sampler.ID{Proto: sampler.UDP, Local: netip.MustParseAddrPort("127.0.0.1:22")}})
	changed := sampler.Event{Kind: sampler.StateChanged, Time: at(5), Socket: tcpSock(7000, 0, sampler.StateClose, 3, "odd"), PrevState: sampler.StateListen}

	tr := NewTracker(16)
	tr.Observe([]sampler.Event{existingListener, open(1, conn), open(1, listener), udp, open(1, tcpSock(7000, 0, sampler.StateListen, 3, "odd"))})
	tr.Observe([]sampler.Event{open(2, tcpSock(22, 50000, sampler.StateEstablished, 2, "sshd")), changed})
	tr.Observe([]sampler.Event{open(6, tcpSock(7000, 80, sampler.StateEstablished, 4, "curl"))})

	for _, c := range []struct {
		proto               sampler.Proto
		port                uint16
		handedOut, accepted int
	}{
		{sampler.TCP, 9000, 1, 1}, // the connection came before its listener in the batch
		{sampler.TCP, 22, 0, 1},   // a listener there before porttop
		{sampler.UDP, 22, 1, 0},   // UDP has no listeners
		{sampler.TCP, 7000, 2, 0}, // the listener left LISTEN: a later socket there hands it out
	} {
		h := tr.Port(c.proto, c.port)
		if h.HandedOut != c.handedOut || h.Accepted != c.accepted {
			t.Errorf("%v port %d: handed out %d, accepted %d; want %d, %d", c.proto, c.port, h.HandedOut, h.Accepted, c.handedOut, c.accepted)
		}
	}
	if m := tr.Port(0, 22); m.HandedOut != 1 || m.Accepted != 1 {
		t.Errorf("tcp and udp merged: handed out %d, accepted %d; want 1, 1", m.HandedOut, m.Accepted)
	}
}

// A client bound to a listener's port on another local address was handed
// that port: no listener there could have accepted it.
func TestClientBesideAListenerOnAnotherAddressIsAHandOut(t *testing.T) {
	const port = 8767
	tr := NewTracker(16)
	tr.Observe([]sampler.Event{open(1, tcpSock(port, 0, sampler.StateListen, 300, "python3"))})
	client := tcpSock(port, 9000, sampler.StateEstablished, 400, "nc")
	client.Local = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.2"), port)
	tr.Observe([]sampler.Event{open(2, client)})
	tr.Observe([]sampler.Event{closeAt(5, 2, client)})
	h := tr.Port(sampler.TCP, port)
	if h.HandedOut != 2 || h.Accepted != 0 {
		t.Errorf("port %d: handed out %d, accepted %d; want 2 (the listener and the client on 127.0.0.2), 0", port, h.HandedOut, h.Accepted)
	}
}
