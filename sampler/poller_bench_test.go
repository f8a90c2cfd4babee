package sampler

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// alternatingSource hands out two prebuilt tables in turn, so the benchmark
// measures the poller (diff, guard, publish), not a source's allocations.
type alternatingSource struct {
	tables [2]Snapshot
	n      int
}

func (a *alternatingSource) Name() string { return "bench" }

func (a *alternatingSource) Sample(context.Context) (Snapshot, error) {
	a.n++
	s := a.tables[a.n%2]
	s.Time = t0.Add(time.Duration(a.n) * 100 * time.Millisecond)
	return s, nil
}

func BenchmarkPollerSample(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("sockets=%d", n), func(b *testing.B) {
			prev, next := benchTables(n)
			p := NewPoller(PollerConfig{Source: &alternatingSource{tables: [2]Snapshot{prev, next}}})
			ctx := context.Background()
			p.sample(ctx)
			p.pending.take()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				p.sample(ctx)
				p.pending.take() // the consumer keeps up
			}
		})
	}
}
