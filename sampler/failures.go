package sampler

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"
)

// FailureCount is failed hand-outs summed over an interval: every call of
// one kind (Op) that failed with one errno, by processes of one name, to
// one destination (a connect's remote address, a bind's requested local
// one). PID and UID are the latest caller's; Last is the latest failure's
// time. Process is the kernel's task name, raw: escape before display.
// Netns is the callers' network namespace (its inode; 0 when the source
// does not know it) and NetnsName its `ip netns` name when it has one
// (raw): a destination is one per namespace, each with its own range. An
// overflow group (see MaxFailureGroups) has Other set and no Process,
// Addr or namespace.
type FailureCount struct {
	Last      time.Time
	Op        FailedOp
	Errno     int
	Addr      netip.AddrPort
	Process   string
	PID       int32
	UID       uint32
	Netns     uint64
	NetnsName string
	Count     uint64
	Other     bool
}

// MaxFailureGroups bounds the groups AddFailure and MergeFailures keep apart;
// past it, failures of new (process, destination) pairs are summed into one
// overflow group per op and errno, so memory stays bounded however many
// processes fail.
const MaxFailureGroups = 64

func (g FailureCount) sameKey(o FailureCount) bool {
	return g.Op == o.Op && g.Errno == o.Errno && g.Other == o.Other && g.Addr == o.Addr && g.Process == o.Process &&
		g.Netns == o.Netns
}

// AddFailure counts f into groups and returns them.
func AddFailure(groups []FailureCount, f PortFailure) []FailureCount {
	return MergeFailures(groups, []FailureCount{{
		Last: f.At, Op: f.Op, Errno: f.Errno, Addr: f.Addr,
		Process: f.Actor.Comm, PID: f.Actor.PID, UID: f.Actor.UID, Count: 1,
		Netns: uint64(f.NetNS), NetnsName: f.NetnsName,
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
		if o.NetnsName != "" {
			g.NetnsName = o.NetnsName
		}
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
	// ByDest are the failed connects per destination and namespace
	// (bounded like the groups: past MaxFailureGroups destinations, new
	// ones are not kept apart).
	ByDest map[FailedDest]uint64
	// Names are the `ip netns` names of ByDest's namespaces that have
	// one (raw).
	Names map[uint64]string
}

// FailedDest is a destination connects failed to, from one network
// namespace: Netns as in FailureCount (0: unknown).
type FailedDest struct {
	Addr  netip.AddrPort
	Netns uint64
}

// Dest is g's destination (a connect's) with its namespace.
func (g FailureCount) Dest() FailedDest { return FailedDest{Addr: g.Addr, Netns: g.Netns} }

// DestLabel is g's destination as the header names it (see Label).
func (g FailureCount) DestLabel(own uint64) string {
	return destLabel(g.Addr, g.Netns, g.NetnsName, own)
}

// Label is a destination as the header, churn panel and explain name it:
// "127.0.0.1:9400", and "127.0.0.1:9400 in netns blue" (or "in
// net:[4026532238]" without a name) when its namespace is known and not
// own (porttop's; 0 when unknown). The name is raw: escape it for a
// terminal.
func (t *FailureTotals) Label(d FailedDest, own uint64) string {
	return destLabel(d.Addr, d.Netns, t.Names[d.Netns], own)
}

func destLabel(a netip.AddrPort, netns uint64, name string, own uint64) string {
	s := a.String()
	switch {
	case netns == 0 || netns == own:
	case name != "":
		s += " in netns " + name
	default:
		s += " in net:[" + strconv.FormatUint(netns, 10) + "]"
	}
	return s
}

// Add counts an interval's groups in.
func (t *FailureTotals) Add(groups []FailureCount) {
	for _, g := range groups {
		switch g.Op {
		case FailedConnect:
			t.Connects += g.Count
			if !g.Other {
				if t.ByDest == nil {
					t.ByDest = make(map[FailedDest]uint64)
				}
				if _, ok := t.ByDest[g.Dest()]; ok || len(t.ByDest) < MaxFailureGroups {
					t.ByDest[g.Dest()] += g.Count
					if g.NetnsName != "" { // bounded as ByDest is
						if t.Names == nil {
							t.Names = map[uint64]string{}
						}
						t.Names[g.Netns] = g.NetnsName
					}
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

// ToPort are the failed connects to destinations on port (any address,
// any namespace).
func (t *FailureTotals) ToPort(port uint16) (n uint64, dests []FailedDest) {
	for d, c := range t.ByDest {
		if d.Addr.Port() == port {
			n += c
			dests = append(dests, d)
		}
	}
	return n, dests
}
