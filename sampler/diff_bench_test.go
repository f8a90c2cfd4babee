package sampler

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// benchTables builds two tables of n sockets where 1% closed, 1% opened and
// 1% changed state: a busy but typical step.
func benchTables(n int) (prev, next Snapshot) {
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	mk := func(i int) Socket {
		return Socket{
			ID: ID{
				Cookie: uint64(i + 1),
				Proto:  TCP,
				Local:  netip.AddrPortFrom(lo, uint16(1024+i%64000)),
				Remote: netip.AddrPortFrom(lo, uint16(80+i/64000)),
			},
			State: StateEstablished,
			Owner: Owner{UID: -1},
		}
	}
	prev.Time, next.Time = t0, t0.Add(100*time.Millisecond)
	churn := n / 100
	for i := range n {
		prev.Sockets = append(prev.Sockets, mk(i))
		prev.Sockets[i].Since = StampOf(t0)
	}
	for i := churn; i < n+churn; i++ {
		s := mk(i)
		if i < 2*churn {
			s.State = StateCloseWait
		}
		next.Sockets = append(next.Sockets, s)
	}
	return prev, next
}

func BenchmarkDiff(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("sockets=%d", n), func(b *testing.B) {
			prev, next := benchTables(n)
			var d Differ
			d.Diff(prev, &next) // warm the reused index, as a running poller has
			b.ReportAllocs()
			b.ResetTimer()
			var events int
			for b.Loop() {
				events = len(d.Diff(prev, &next))
			}
			b.ReportMetric(float64(events), "events/op")
		})
	}
}

// BenchmarkDiffIndexed is BenchmarkDiff at 100k with the check's way of
// diffing (DiffIndexed, prev's index lent) beside the Differ's own index
// made afresh each time (a check under the ebpf source: the UDP-only
// diffs between checks shrank it).
func BenchmarkDiffIndexed(b *testing.B) {
	prev, next := benchTables(100_000)
	idx := make(cookieMap, len(prev.Sockets))
	for i := range prev.Sockets {
		idx[prev.Sockets[i].Cookie] = int32(i)
	}
	b.Run("own=fresh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var d Differ
			d.Diff(prev, &next)
		}
	})
	b.Run("lent", func(b *testing.B) {
		var d Differ
		b.ReportAllocs()
		for b.Loop() {
			d.DiffIndexed(prev, Patch{}, &next, idx)
		}
	})
}
