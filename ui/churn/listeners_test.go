package churn

import (
	"net/netip"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Loopback connections to a local server: each makes a client socket (its
// ephemeral port handed out) and an accepted socket (sharing the listener's
// port, nothing handed out). Only the client ends count, opening and closing.
func TestAcceptedConnectionsAreNotHandOuts(t *testing.T) {
	tcp := func(local, remote string, st sampler.State) sampler.Socket {
		s := sampler.Socket{State: st, Owner: sampler.Owner{UID: -1}}
		s.Proto, s.Local = sampler.TCP, netip.MustParseAddrPort(local)
		if remote != "" {
			s.Remote = netip.MustParseAddrPort(remote)
		}
		return s
	}
	listener := tcp("127.0.0.1:8080", "", sampler.StateListen)
	snap := sampler.Snapshot{Sockets: []sampler.Socket{listener}}
	var opens, closes []sampler.Event
	at := scriptStart.Add(100 * time.Millisecond)
	for i := range 3 {
		port := 45000 + i
		client := tcp("127.0.0.1:"+strconv.Itoa(port), "127.0.0.1:8080", sampler.StateEstablished)
		accepted := tcp("127.0.0.1:8080", "127.0.0.1:"+strconv.Itoa(port), sampler.StateEstablished)
		snap.Sockets = append(snap.Sockets, client, accepted)
		opens = append(opens, event(sampler.Opened, client, at), event(sampler.Opened, accepted, at))
		closes = append(closes, event(sampler.Closed, client, at.Add(time.Second)), event(sampler.Closed, accepted, at.Add(time.Second)))
	}
	m := New(plainStyles(), linuxEphemeral, 0.5)
	m = m.Observe(snap, opens, at)
	// A second later every connection has closed; the listener stays.
	m = m.Observe(sampler.Snapshot{Sockets: []sampler.Socket{listener}}, closes, at.Add(time.Second))

	h := &m.s.hist
	if got, want := h.series(10, func(b *bucket) uint32 { return b.handOuts }), []uint32{3, 0}; !slices.Equal(got, want) {
		t.Errorf("hand-outs per second = %v; want %v (client ends only)", got, want)
	}
	if got, want := h.series(10, func(b *bucket) uint32 { return b.releases }), []uint32{0, 3}; !slices.Equal(got, want) {
		t.Errorf("releases per second = %v; want %v (client ends only)", got, want)
	}
}

// The server side of an accepted connection has the client's port as its
// remote and the listener's port as its local one: it holds no port of the
// ephemeral range, so it is no destination. Only sockets holding a local
// port of their own count, whichever listener (address or wildcard, either
// family) accepted the rest. (The listeners' ports are inside the ephemeral
// range, so that only acceptance keeps those sockets out.)
func TestAcceptedConnectionsAreNotDestinations(t *testing.T) {
	socks := []sampler.Socket{
		sock(sampler.TCP, "127.0.0.1:40080", "0.0.0.0:0", sampler.StateListen),
		sock(sampler.TCP, "[::]:40090", "[::]:0", sampler.StateListen),
	}
	for i := range 3 {
		p, q := strconv.Itoa(45000+i), strconv.Itoa(50000+i)
		socks = append(socks,
			sock(sampler.TCP, "127.0.0.1:"+p, "127.0.0.1:40080", sampler.StateEstablished),
			sock(sampler.TCP, "127.0.0.1:40080", "127.0.0.1:"+p, sampler.StateEstablished), // accepted
			sock(sampler.TCP, "[::1]:40090", "[::1]:"+q, sampler.StateEstablished),         // accepted by [::]
			sock(sampler.TCP, "10.0.0.2:40090", "10.0.0.9:"+q, sampler.StateTimeWait),      // accepted by [::], closed
		)
	}
	socks = append(socks,
		// A client bound to the listener's port on another address holds
		// that port itself; so does a UDP socket (UDP has no listeners).
		sock(sampler.TCP, "127.0.0.2:40080", "10.0.0.5:5432", sampler.StateEstablished),
		sock(sampler.UDP, "127.0.0.1:40080", "10.0.0.5:5432", sampler.StateNone),
	)
	m := New(plainStyles(), linuxEphemeral, 0.5)
	m = m.Observe(sampler.Snapshot{Time: scriptStart, Sockets: socks}, nil, scriptStart)
	want := []DestCount{
		{dest(sampler.TCP, "127.0.0.1:40080"), 3},
		{dest(sampler.TCP, "10.0.0.5:5432"), 1},
		{dest(sampler.UDP, "10.0.0.5:5432"), 1},
	}
	if !slices.Equal(m.s.top, want) {
		t.Errorf("destinations = %v; want %v (accepted connections left out)", m.s.top, want)
	}
}
