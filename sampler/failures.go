package sampler

import (
	"fmt"
	"net/netip"
	"time"
)

// FailureCount is failed hand-outs summed over an interval: every call of
// one kind (Op) that failed with one errno, by processes of one name, to
// one destination (a connect's remote address, a bind's requested local
// one). PID and UID are the latest caller's; Last is the latest failure's
// time. Process is the kernel's task name, raw: escape before display.
// An overflow group (see MaxFailureGroups) has Other set and no Process
// or Addr.
type FailureCount struct {
	Last    time.Time
	Op      FailedOp
	Errno   int
	Addr    netip.AddrPort
	Process string
	PID     int32
	UID     uint32
	Count   uint64
	Other   bool
}

// MaxFailureGroups bounds the groups AddFailure and MergeFailures keep apart;
// past it, failures of new (process, destination) pairs are summed into one
// overflow group per op and errno, so memory stays bounded however many
// processes fail.
const MaxFailureGroups = 64

func (g FailureCount) sameKey(o FailureCount) bool {
	return g.Op == o.Op && g.Errno == o.Errno && g.Other == o.Other && g.Addr == o.Addr && g.Process == o.Process
}

// AddFailure counts f into groups and returns them.
func AddFailure(groups []FailureCount, f PortFailure) []FailureCount {
	return MergeFailures(groups, []FailureCount{{
		Last: f.At, Op: f.Op, Errno: f.Errno, Addr: f.Addr,
		Process: f.Actor.Comm, PID: f.Actor.PID, UID: f.Actor.UID, Count: 1,
	}})
}

// MergeFailures adds the counts of src into dst (order kept: new groups go
// at the end) and returns dst.
func MergeFailures(dst, src []FailureCount) []FailureCount {
	for _, g := range src {
		dst = mergeOne(dst, g)
	}
	return dst
}

func mergeOne(dst []FailureCount, g FailureCount) []FailureCount {
	for i := range dst {
		if dst[i].sameKey(g) {
			dst[i].add(g)
			return dst
		}
	}
	if len(dst) >= MaxFailureGroups && !g.Other {
		g = FailureCount{Last: g.Last, Op: g.Op, Errno: g.Errno, Count: g.Count, Other: true}
		return mergeOne(dst, g)
	}
	return append(dst, g)
}

func (g *FailureCount) add(o FailureCount) {
	g.Count += o.Count
	if !o.Last.Before(g.Last) {
		g.Last, g.PID, g.UID = o.Last, o.PID, o.UID
	}
}

// ErrnoName is the symbolic name of the errnos failed hand-outs report
// (Linux numbers), or "errno N" for another.
func ErrnoName(n int) string {
	switch n {
	case ErrnoAddrInUse:
		return "EADDRINUSE"
	case ErrnoAddrNotAvail:
		return "EADDRNOTAVAIL"
	}
	return fmt.Sprintf("errno %d", n)
}

// ErrnoNumber is ErrnoName's inverse; ok is false for a name it does not know.
func ErrnoNumber(name string) (n int, ok bool) {
	switch name {
	case "EADDRINUSE":
		return ErrnoAddrInUse, true
	case "EADDRNOTAVAIL":
		return ErrnoAddrNotAvail, true
	}
	if _, err := fmt.Sscanf(name, "errno %d", &n); err == nil && n > 0 {
		return n, true
	}
	return 0, false
}

// The errnos of failed hand-outs, as Linux numbers them.
const (
	ErrnoAddrInUse    = 98
	ErrnoAddrNotAvail = 99
)

// FailureTotals are failed hand-outs since the start: what the live view's
// header and explain show. The zero value is ready.
type FailureTotals struct {
	Connects, Binds uint64
	Latest          FailureCount // the group of the latest failure
	// ByDest are the failed connects per destination (bounded like the
	// groups: past MaxFailureGroups destinations, new ones are not kept
	// apart).
	ByDest map[netip.AddrPort]uint64
}

// Add counts an interval's groups in.
func (t *FailureTotals) Add(groups []FailureCount) {
	for _, g := range groups {
		switch g.Op {
		case FailedConnect:
			t.Connects += g.Count
			if !g.Other {
				if t.ByDest == nil {
					t.ByDest = make(map[netip.AddrPort]uint64)
				}
				if _, ok := t.ByDest[g.Addr]; ok || len(t.ByDest) < MaxFailureGroups {
					t.ByDest[g.Addr] += g.Count
				}
			}
		case FailedBind:
			t.Binds += g.Count
		}
		if !g.Last.Before(t.Latest.Last) {
			t.Latest = g
		}
	}
}

// Any reports whether any hand-out failed.
func (t *FailureTotals) Any() bool { return t.Connects+t.Binds > 0 }

// ToPort are the failed connects to destinations on port (any address).
func (t *FailureTotals) ToPort(port uint16) (n uint64, dests []netip.AddrPort) {
	for d, c := range t.ByDest {
		if d.Port() == port {
			n += c
			dests = append(dests, d)
		}
	}
	return n, dests
}
