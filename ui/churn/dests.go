package churn

import (
	"cmp"
	"iter"
	"maps"
	"slices"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/dests"
)

// Dest is a remote endpoint that local sockets connect to (dests.Dest).
type Dest = dests.Dest

// DestCount is how many local ports one destination holds.
type DestCount struct {
	Dest  Dest
	Ports int
}

// destPort is one local port held towards a destination.
type destPort = dests.Port

// countDests counts the distinct local ports each destination holds (see
// dests.Count), each socket judged against its own namespace's range and
// counted towards its namespace's destination.
func (m Model) countDests(socks []sampler.Socket, listeners *sampler.Listeners, into map[Dest]int, seen map[destPort]struct{}) {
	dests.Count(socks, listeners, m.ranges(), into, seen)
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
	return dests.Compare(a.Dest, b.Dest)
}

// TopN is the n destinations holding the most ports, most first. It keeps a
// sorted slice of at most n, so it costs O(destinations x n) at worst and
// about O(destinations) when, as usual, most hold a port or two.
func TopN(counts map[Dest]int, n int) []DestCount { return topOf(maps.All(counts), n) }

// topOf is TopN of the counts all yields.
func topOf(all iter.Seq2[Dest, int], n int) []DestCount {
	if n <= 0 {
		return nil
	}
	var top []DestCount
	for d, c := range all {
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
