// Package dests counts the local ports each remote destination holds, the
// measure of ephemeral-port exhaustion: the kernel hands a connect() a local
// port unique per (local address, destination), so ports run out per
// destination, and a destination holding every port of the OS ephemeral
// range is one a new connect() to can fail with EADDRNOTAVAIL ("Cannot
// assign requested address"). The churn panel, the header and `watch`'s
// stats all count with it, so they agree.
package dests

import (
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

// Port is one local port held towards a destination.
type Port struct {
	Dest Dest
	Port uint16
}

// Of is the destination s holds an ephemeral port towards, if any. Left
// out: listeners, sockets without a remote (0.0.0.0:0, [::]:0), TCP sockets
// a listener accepted (those share the listener's port, so they use up
// none of the range; their remote is a client's port, not a destination),
// and ports outside the range when it is known (bound by number, or handed
// out before the range changed), which a share of the range must not
// count. A nil listeners knows of no listener. A socket in TIME_WAIT still
// counts: its 4-tuple is not free yet.
func Of(s *sampler.Socket, listeners *sampler.Listeners, ephemeral ports.Range) (Dest, bool) {
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

// Count adds one to into[dest] for every distinct local port held towards
// dest (see Of for what is left out). A port is used up once per (local
// address, destination): with several local addresses, two sockets to one
// destination can share a local port, and they use one port of the range
// between them, not two; so ports are counted, not sockets. seen is
// scratch (cleared here).
func Count(socks []sampler.Socket, listeners *sampler.Listeners, ephemeral ports.Range, into map[Dest]int, seen map[Port]struct{}) {
	CountBy(socks, listeners, func(uint64) ports.Range { return ephemeral }, into, seen)
}

// CountBy is Count where each socket is judged against the range of its
// own network namespace, rangeOf(its Place.Netns): sockets of several
// namespaces, each with its own ip_local_port_range, counted together.
func CountBy(socks []sampler.Socket, listeners *sampler.Listeners, rangeOf func(netns uint64) ports.Range, into map[Dest]int, seen map[Port]struct{}) {
	clear(seen)
	for i := range socks {
		d, ok := Of(&socks[i], listeners, rangeOf(socks[i].Netns))
		if !ok {
			continue
		}
		k := Port{d, socks[i].Local.Port()}
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		into[d]++
	}
}

// Blocked counts, per protocol, the distinct ports of the ephemeral range
// that no connect() can take whatever its destination: those bound by a
// listener or by a socket with no remote end (bound, not connected). The
// kernel shares a port among connect()ed sockets to different
// destinations, but never one a bind() holds. A connected socket that was
// bound first cannot be told apart and is taken as connect()ed.
func Blocked(socks []sampler.Socket, ephemeral ports.Range) map[sampler.Proto]int {
	if !ephemeral.Known() {
		return nil
	}
	var seen [2][65536 / 64]uint64
	out := map[sampler.Proto]int{}
	for i := range socks {
		s := &socks[i]
		p := s.Local.Port()
		connected := s.Remote.IsValid() && !s.Remote.Addr().IsUnspecified() && s.Remote.Port() != 0
		if (connected && s.State != sampler.StateListen) || !ephemeral.Contains(p) || (s.Proto != sampler.TCP && s.Proto != sampler.UDP) {
			continue
		}
		bits := &seen[s.Proto-1]
		if bits[p>>6]&(1<<(p&63)) != 0 {
			continue
		}
		bits[p>>6] |= 1 << (p & 63)
		out[s.Proto]++
	}
	return out
}

// Full is the destinations the ephemeral range is full for, in order: every
// port of it is held towards them (counts) or blocked (see Blocked), so a
// new connect() to one of them fails with EADDRNOTAVAIL until a port is
// released. None when the range is unknown.
func Full(counts map[Dest]int, blocked map[sampler.Proto]int, ephemeral ports.Range) []Dest {
	if !ephemeral.Known() {
		return nil
	}
	var full []Dest
	for d, n := range counts {
		if IsFull(n, blocked[d.Proto], ephemeral) {
			full = append(full, d)
		}
	}
	slices.SortFunc(full, Compare)
	return full
}

// IsFull reports whether held ports towards a destination and blocked
// ports leave none of the range for a connect() to it.
func IsFull(held, blocked int, ephemeral ports.Range) bool {
	return ephemeral.Known() && held > 0 && held+blocked >= ephemeral.Size()
}

// Compare orders destinations by protocol, then address and port.
func Compare(a, b Dest) int {
	if a.Proto != b.Proto {
		if a.Proto < b.Proto {
			return -1
		}
		return 1
	}
	return a.Remote.Compare(b.Remote)
}
