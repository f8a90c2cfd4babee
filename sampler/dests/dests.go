// Package dests counts the local ports each remote destination holds, the
// measure of ephemeral-port exhaustion: the kernel hands a connect() a local
// port unique per (local address, destination), so ports run out per
// destination, and a destination holding every port of the OS ephemeral
// range is one a new connect() to can fail with EADDRNOTAVAIL ("Cannot
// assign requested address"). Each network namespace has its own range
// and runs out on its own, so ports are counted per (namespace,
// destination), each against its namespace's range (Ranges). The churn
// panel, the header and `watch`'s stats all count with it, so they agree.
package dests

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// Dest is a remote endpoint that local sockets connect to. Ports run out per
// protocol and destination, so the protocol is part of it; and per network
// namespace, each with its own range, so the namespace is too.
type Dest struct {
	Proto  sampler.Proto
	Remote netip.AddrPort
	// Netns is the network namespace whose range the ports are of: 0 for
	// porttop's own (and when one namespace is read), else another
	// namespace's inode (see Ranges.Netns).
	Netns uint64
}

// String is "tcp 10.0.0.9:5432", and for another namespace's destination
// "tcp 10.0.0.9:5432 in net:[4026532238]" (Ranges.Label names it).
func (d Dest) String() string {
	s := d.Proto.String() + " " + d.Remote.String()
	if d.Netns != 0 {
		s += " in " + inodeLabel(d.Netns)
	}
	return s
}

func inodeLabel(ino uint64) string { return "net:[" + strconv.FormatUint(ino, 10) + "]" }

// Space is where a port is taken from: one network namespace's range, for
// one protocol. A bind() holds a port of its space for every destination.
type Space struct {
	Netns uint64 // as in Dest
	Proto sampler.Proto
}

// Space is the space d's ports are taken from.
func (d Dest) Space() Space { return Space{d.Netns, d.Proto} }

// Port is one local port held towards a destination.
type Port struct {
	Dest Dest
	Port uint16
}

// Ranges are the ephemeral ranges sockets are judged against: Own,
// porttop's namespace's, and Others, the other network namespaces' by
// inode (a batch's NetnsRanges), each running out on its own. A socket
// whose namespace Others does not list is porttop's.
type Ranges struct {
	Own    ports.Range
	Others map[uint64]ports.Range
	// Names are the Others' `ip netns` names, where they have one (raw:
	// anyone's text).
	Names map[uint64]string
}

// One is the ranges of one namespace: every socket judged against r.
func One(r ports.Range) Ranges { return Ranges{Own: r} }

// RangesOf is own and the other namespaces' ranges of a batch
// (sampler.Batch.NetnsRanges), those unknown left out.
func RangesOf(own ports.Range, others []sampler.NetnsRange) Ranges {
	r := Ranges{Own: own}
	for _, o := range others {
		if o.Netns == 0 || !o.Range.Known() {
			continue
		}
		if r.Others == nil {
			r.Others = make(map[uint64]ports.Range, len(others))
		}
		r.Others[o.Netns] = o.Range
		if o.NetnsName != "" {
			if r.Names == nil {
				r.Names = map[uint64]string{}
			}
			r.Names[o.Netns] = o.NetnsName
		}
	}
	return r
}

// Netns is the namespace a socket of namespace netns (its Place.Netns)
// takes its ports from, as Dest.Netns: netns when Others lists it, else 0
// (porttop's own).
func (r Ranges) Netns(netns uint64) uint64 {
	if _, ok := r.Others[netns]; ok && netns != 0 {
		return netns
	}
	return 0
}

// Of is the range of namespace netns (a Dest.Netns): Own for 0.
func (r Ranges) Of(netns uint64) ports.Range {
	if o, ok := r.Others[netns]; ok && netns != 0 {
		return o
	}
	return r.Own
}

// Label is d as String gives it, its namespace named by its `ip netns`
// name when it has one ("tcp 10.0.0.9:5432 in netns blue"). The name is
// raw: escape it before a terminal shows it.
func (r Ranges) Label(d Dest) string {
	if n := r.Names[d.Netns]; d.Netns != 0 && n != "" {
		return d.Proto.String() + " " + d.Remote.String() + " in netns " + n
	}
	return d.String()
}

// Of is the destination s holds an ephemeral port towards, if any. Left
// out: listeners, sockets without a remote (0.0.0.0:0, [::]:0), TCP sockets
// a listener accepted (those share the listener's port, so they use up
// none of the range; their remote is a client's port, not a destination),
// and ports outside the range when it is known (bound by number, or handed
// out before the range changed), which a share of the range must not
// count. A nil listeners knows of no listener. A socket in TIME_WAIT still
// counts: its 4-tuple is not free yet. Its Netns is 0: see In.
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
	return Dest{Proto: s.Proto, Remote: s.Remote}, true
}

// In is Of where s is judged against its own namespace's range among r,
// and the Dest is of that namespace (Dest.Netns).
func In(s *sampler.Socket, listeners *sampler.Listeners, r Ranges) (Dest, bool) {
	ns := r.Netns(s.Netns)
	d, ok := Of(s, listeners, r.Of(ns))
	d.Netns = ns
	return d, ok
}

// Count adds one to into[dest] for every distinct local port held towards
// dest (see Of for what is left out), each socket judged against its own
// namespace's range among r and counted towards its namespace's dest: a
// destination that sockets of two namespaces connect to is two, each
// running out of its own namespace's range. A port is used up once per
// (local address, destination): with several local addresses, two sockets
// to one destination can share a local port, and they use one port of the
// range between them, not two; so ports are counted, not sockets. seen is
// scratch (cleared here).
func Count(socks []sampler.Socket, listeners *sampler.Listeners, r Ranges, into map[Dest]int, seen map[Port]struct{}) {
	clear(seen)
	for i := range socks {
		d, ok := In(&socks[i], listeners, r)
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

// Blocked counts, per namespace and protocol (Space), the distinct ports
// of the namespace's range that no connect() can take whatever its
// destination: those bound by a listener or by a socket with no remote end
// (bound, not connected). The kernel shares a port among connect()ed
// sockets to different destinations, but never one a bind() holds. A
// connected socket that was bound first cannot be told apart and is taken
// as connect()ed. Each socket is judged against its own namespace's range
// among r; a namespace whose range is unknown counts nothing.
func Blocked(socks []sampler.Socket, r Ranges) map[Space]int {
	out := map[Space]int{}
	var seen map[Space]*[65536 / 64]uint64
	for i := range socks {
		s := &socks[i]
		p := s.Local.Port()
		connected := s.Remote.IsValid() && !s.Remote.Addr().IsUnspecified() && s.Remote.Port() != 0
		if (connected && s.State != sampler.StateListen) || (s.Proto != sampler.TCP && s.Proto != sampler.UDP) {
			continue
		}
		ns := r.Netns(s.Netns)
		if eph := r.Of(ns); !eph.Known() || !eph.Contains(p) {
			continue
		}
		sp := Space{ns, s.Proto}
		if seen == nil {
			seen = map[Space]*[65536 / 64]uint64{}
		}
		bits := seen[sp]
		if bits == nil {
			bits = new([65536 / 64]uint64)
			seen[sp] = bits
		}
		if bits[p>>6]&(1<<(p&63)) != 0 {
			continue
		}
		bits[p>>6] |= 1 << (p & 63)
		out[sp]++
	}
	return out
}

// Full is the destinations their namespace's range is full for, in order:
// every port of it is held towards them (counts) or blocked (see Blocked),
// so a new connect() to one of them fails with EADDRNOTAVAIL until a port
// is released. A namespace whose range is unknown has none.
func Full(counts map[Dest]int, blocked map[Space]int, r Ranges) []Dest {
	var full []Dest
	for d, n := range counts {
		if IsFull(n, blocked[d.Space()], r.Of(d.Netns)) {
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

// Compare orders destinations by protocol, then address and port, then
// namespace (porttop's first).
func Compare(a, b Dest) int {
	if a.Proto != b.Proto {
		if a.Proto < b.Proto {
			return -1
		}
		return 1
	}
	if c := a.Remote.Compare(b.Remote); c != 0 {
		return c
	}
	return cmp.Compare(a.Netns, b.Netns)
}
