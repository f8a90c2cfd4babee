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

// sortKeyOf is a row's primary sort key packed in a uint64, so that the
// sort of a 100k-row table compares integers held in the row and follows a
// pointer only on ties. ranks maps process names to their order (ByProcess).
func sortKeyOf(k SortKey, s *sampler.Socket, ranks map[string]uint32) uint64 {
	port := uint64(s.Local.Port())
	switch k {
	case ByState:
		return uint64(stateRank[s.State])<<32 | port<<8 | uint64(s.Proto)
	case ByProcess:
		return uint64(ranks[s.Process])<<32 | uint64(uint32(s.PID))
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

// processRanks numbers the distinct process names in sort order, unknown
// ("") last, as compareProcess orders them.
func processRanks(rows []row) map[string]uint32 {
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
		ranks[n] = uint32(i)
	}
	ranks[""] = uint32(len(names))
	return ranks
}
