package sockettable

import (
	"cmp"
	"net/netip"
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
