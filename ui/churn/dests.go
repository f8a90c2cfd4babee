package churn

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// Dest is a remote endpoint that local sockets connect to. Ports run out per
// protocol and destination, so the protocol is part of it.
type Dest struct {
	Proto  sampler.Proto
	Remote netip.AddrPort
}

func (d Dest) String() string { return d.Proto.String() + " " + d.Remote.String() }

// DestCount is how many local ports one destination holds.
type DestCount struct {
	Dest  Dest
	Ports int
}

// destPort is one local port held towards a destination.
type destPort struct {
	dest Dest
	port uint16
}

// countDests adds one to into[dest] for every distinct local port held
// towards dest by a socket that holds a port of its own from the ephemeral
// range (any port when the range is unknown) and is connected to a remote
// port. A port is used up once per (local address, destination): with
// several local addresses, two sockets to one destination can share a local
// port, and they use one port of the range between them, not two; so ports
// are counted, not sockets. seen is scratch for that (cleared here).
// Skipped: listeners, sockets without a
// remote (0.0.0.0:0, [::]:0), TCP sockets a listener accepted (those share
// the listener's port, so they use up none of the range; their remote is a
// client's port, not a destination), and ports outside the range (bound by
// number, or handed out before the range changed), which a share of the
// range must not count. A nil listeners knows of no listener. A socket in
// TIME_WAIT still counts: its 4-tuple is not free yet.
func countDests(socks []sampler.Socket, listeners *sampler.Listeners, ephemeral ports.Range, into map[Dest]int, seen map[destPort]struct{}) {
	clear(seen)
	for i := range socks {
		d, ok := destOf(&socks[i], listeners, ephemeral)
		if !ok {
			continue
		}
		k := destPort{d, socks[i].Local.Port()}
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		into[d]++
	}
}

// destOf is the destination s holds an ephemeral port towards, if any (see
// countDests for what is left out).
func destOf(s *sampler.Socket, listeners *sampler.Listeners, ephemeral ports.Range) (Dest, bool) {
	if s.State == sampler.StateListen || !s.Remote.IsValid() ||
		s.Remote.Addr().IsUnspecified() || s.Remote.Port() == 0 {
		return Dest{}, false
	}
	if ephemeral.Known() && !ephemeral.Contains(s.Local.Port()) {
		return Dest{}, false
	}
	if s.Proto == sampler.TCP && listeners != nil && listeners.Accepts(s.Local) {
		return Dest{}, false
	}
	return Dest{s.Proto, s.Remote}, true
}

// byPortsDesc orders destinations by ports held, most first, then by
// protocol and address so that ties always come out in the same order.
func byPortsDesc(a, b DestCount) int {
	if c := cmp.Compare(b.Ports, a.Ports); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Dest.Proto, b.Dest.Proto); c != 0 {
		return c
	}
	return a.Dest.Remote.Compare(b.Dest.Remote)
}

// TopN is the n destinations holding the most ports, most first. It keeps a
// sorted slice of at most n, so it costs O(destinations x n) at worst and
// about O(destinations) when, as usual, most hold a port or two.
func TopN(counts map[Dest]int, n int) []DestCount {
	if n <= 0 {
		return nil
	}
	top := make([]DestCount, 0, min(n, len(counts)))
	for d, c := range counts {
		dc := DestCount{d, c}
		if len(top) == n && byPortsDesc(dc, top[n-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(top, dc, byPortsDesc)
		if len(top) == n {
			top = top[:n-1]
		}
		top = slices.Insert(top, i, dc)
	}
	return top
}
