package sockettable

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"github.com/porttop/porttop/sampler"
)

// SortKey is the order of the table's rows; `s` cycles through them.
type SortKey uint8

const (
	ByPort    SortKey = iota // local port, then proto, then remote
	ByState                  // state name, then port
	ByProcess                // process name, then pid, then port
	ByAge                    // youngest first: churn is what people watch
	sortKeyCount
)

func (k SortKey) String() string {
	switch k {
	case ByPort:
		return "port"
	case ByState:
		return "state"
	case ByProcess:
		return "process"
	case ByAge:
		return "age"
	}
	return "?"
}

// Next is the following sort order, wrapping around.
func (k SortKey) Next() SortKey { return (k + 1) % sortKeyCount }

// compareFor returns the comparison for k. Every order ends on the full
// socket identity so that equal-looking rows keep a stable place between
// frames instead of jumping about.
func compareFor(k SortKey) func(a, b *sampler.Socket) int {
	switch k {
	case ByState:
		return func(a, b *sampler.Socket) int {
			if c := strings.Compare(a.State.String(), b.State.String()); c != 0 {
				return c
			}
			return byPort(a, b)
		}
	case ByProcess:
		return func(a, b *sampler.Socket) int {
			if c := compareProcess(a, b); c != 0 {
				return c
			}
			return byPort(a, b)
		}
	case ByAge:
		return func(a, b *sampler.Socket) int {
			if c := b.Since.Compare(a.Since); c != 0 {
				return c
			}
			return byPort(a, b)
		}
	}
	return byPort
}

// compareProcess puts unknown owners last, where they bother no one.
func compareProcess(a, b *sampler.Socket) int {
	switch {
	case a.Process == "" && b.Process != "":
		return 1
	case a.Process != "" && b.Process == "":
		return -1
	}
	if c := strings.Compare(a.Process, b.Process); c != 0 {
		return c
	}
	return cmp.Compare(a.PID, b.PID)
}

func byPort(a, b *sampler.Socket) int {
	if c := cmp.Compare(a.Local.Port(), b.Local.Port()); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Proto, b.Proto); c != 0 {
		return c
	}
	if c := compareAddrPort(a.Local, b.Local); c != 0 {
		return c
	}
	if c := compareAddrPort(a.Remote, b.Remote); c != 0 {
		return c
	}
	return cmp.Compare(a.Cookie, b.Cookie)
}

func compareAddrPort(a, b netip.AddrPort) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return cmp.Compare(a.Port(), b.Port())
}

// sortKeys are a row's place in every order packed in integers held in
// the row, so that the sort of a 100k-row table compares integers and
// follows a pointer to the socket only when all are equal, and a new sort
// key needs no pass over the sockets: the primary key of each order
// (primary, from sortKeyOf's parts), then byPort's own order, which every
// order ends on: local port and proto, local address, remote address and
// port (addrKey). The keys agree with compareFor(k): where they differ,
// the full comparison differs the same way; where they are equal, it
// decides.
//
// ByPort's primary key is port; ByState's is the state's rank and port:
// neither is kept twice, so that a row is 56 bytes, not 80 (at 100k
// sockets a row array is 5.6 MB; the table and its Preparer hold one or
// two). gone is the row's, kept in what would be padding.
type sortKeys struct {
	process, age  uint64 // ByProcess's, ByAge's primary keys
	local, remote uint64
	port          uint32 // local port << 8 | proto
	state         uint8  // stateRank
	gone          bool   // the row is a lingering closed socket
}

// keysOf is s's keys; ranks orders the process names of the rows they are
// compared with.
func keysOf(s *sampler.Socket, ranks *procRanks) sortKeys {
	ks := sortKeys{
		port:    uint32(s.Local.Port())<<8 | uint32(s.Proto),
		state:   stateRank[s.State],
		local:   addrKey(s.Local, false),
		process: sortKeyOf(ByProcess, s, ranks),
		age:     sortKeyOf(ByAge, s, ranks),
	}
	// An IPv6 local key is only the address's start: two equal ones may
	// still differ in the local address, which comes before the remote
	// one, so the remote key stays 0 and the full comparison decides.
	if !s.Local.Addr().Is6() {
		ks.remote = addrKey(s.Remote, true)
	}
	return ks
}

// primary is k's primary key, as sortKeyOf makes it.
func (a *sortKeys) primary(k SortKey) uint64 {
	switch k {
	case ByState:
		return uint64(a.state)<<32 | uint64(a.port)
	case ByProcess:
		return a.process
	case ByAge:
		return a.age
	}
	return uint64(a.port)
}

// compare orders by k's keys.
func (a *sortKeys) compare(b *sortKeys, k SortKey) int {
	if pa, pb := a.primary(k), b.primary(k); pa != pb {
		return cmp.Compare(pa, pb)
	}
	switch {
	case a.port != b.port:
		return cmp.Compare(a.port, b.port)
	case a.local != b.local:
		return cmp.Compare(a.local, b.local)
	}
	return cmp.Compare(a.remote, b.remote)
}

// same reports whether a and b hold the same place in k's order.
func (a *sortKeys) same(b *sortKeys, k SortKey) bool {
	return a.primary(k) == b.primary(k) && a.port == b.port && a.local == b.local && a.remote == b.remote
}

// addrKey orders as compareAddrPort does, as far as 64 bits go: the
// address family (netip.Addr.BitLen: none, IPv4, IPv6) in the top two
// bits; for IPv4 the address, then the port when withPort; for IPv6 the
// address's first 62 bits (equal keys fall back to the full comparison).
func addrKey(ap netip.AddrPort, withPort bool) uint64 {
	a := ap.Addr()
	switch {
	case a.Is4():
		b := a.As4()
		k := uint64(1)<<62 | uint64(b[0])<<40 | uint64(b[1])<<32 | uint64(b[2])<<24 | uint64(b[3])<<16
		if withPort {
			k |= uint64(ap.Port())
		}
		return k
	case a.Is6():
		b := a.As16()
		var hi uint64
		for _, x := range b[:8] {
			hi = hi<<8 | uint64(x)
		}
		return uint64(2)<<62 | hi>>2
	}
	return 0
}

// sortKeyOf is a row's primary sort key packed in a uint64. ranks orders
// process names (ByProcess).
func sortKeyOf(k SortKey, s *sampler.Socket, ranks *procRanks) uint64 {
	port := uint64(s.Local.Port())
	switch k {
	case ByState:
		return uint64(stateRank[s.State])<<32 | port<<8 | uint64(s.Proto)
	case ByProcess:
		return uint64(ranks.of(s.Process))<<32 | uint64(uint32(s.PID))
	case ByAge:
		// Youngest first: a larger Since sorts earlier.
		return ^uint64(s.Since.UnixNano()) ^ (1 << 63)
	}
	return port<<8 | uint64(s.Proto)
}

// stateRank orders states by name, as ByState's comparison does.
var stateRank = func() [256]uint8 {
	var names []string
	for i := range 256 {
		n := sampler.State(i).String()
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var r [256]uint8
	for i := range 256 {
		r[i] = uint8(slices.Index(names, sampler.State(i).String()))
	}
	return r
}()

// procRanks numbers process names in sort order, unknown ("") last, as
// compareProcess orders them. The names a table holds get even ranks; a
// name it does not hold (a lingering row merged into rows sorted without
// it) gets the odd rank between its neighbours, so that keys made from one
// procRanks agree with the full comparison whatever rows they are for
// (two such names may tie: the full comparison then decides).
type procRanks struct {
	rank  map[string]uint32
	names []string // sorted, "" left out
}

func processRanks(rows []row) *procRanks {
	seen := map[string]struct{}{}
	for _, r := range rows {
		seen[r.s.Process] = struct{}{}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		if n != "" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	ranks := make(map[string]uint32, len(names)+1)
	for i, n := range names {
		ranks[n] = 2*uint32(i) + 2
	}
	return &procRanks{rank: ranks, names: names}
}

// of is name's rank.
func (p *procRanks) of(name string) uint32 {
	if p == nil {
		return 0
	}
	if name == "" {
		return 2*uint32(len(p.names)) + 3
	}
	if r, ok := p.rank[name]; ok {
		return r
	}
	i, _ := slices.BinarySearch(p.names, name)
	return 2*uint32(i) + 1 // between names[i-1] and names[i]
}
