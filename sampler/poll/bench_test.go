package poll

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// alternatingSource hands out two prebuilt tables in turn, so the benchmark
// measures the poller (diff, guard, publish), not a source's allocations.
type alternatingSource struct {
	tables [2]sampler.Snapshot
	n      int
}

func (a *alternatingSource) Name() string { return "bench" }

func (a *alternatingSource) Sample(context.Context) (sampler.Snapshot, error) {
	a.n++
	s := a.tables[a.n%2]
	s.Time = t0.Add(time.Duration(a.n) * 100 * time.Millisecond)
	return s, nil
}

func BenchmarkPollerSample(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("sockets=%d", n), func(b *testing.B) {
			prev, next := benchTables(n)
			p := New(Config{Source: &alternatingSource{tables: [2]sampler.Snapshot{prev, next}}})
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

// copyingSource hands out copies of two tables in turn, in slices handed
// back through Recycle, as a recycling source does.
type copyingSource struct {
	alternatingSource
	spare []sampler.Socket
}

func (c *copyingSource) Sample(ctx context.Context) (sampler.Snapshot, error) {
	s, _ := c.alternatingSource.Sample(ctx)
	s.Sockets = append(c.spare[:0], s.Sockets...)
	c.spare = nil
	return s, nil
}

func (c *copyingSource) Recycle(s []sampler.Socket) { c.spare = s }

// BenchmarkPollerSampleAfterReleases: a sample after ten releases arrived
// since the previous one, of sockets the sample no longer holds, as under
// steady churn: base must be patched before the diff.
func BenchmarkPollerSampleAfterReleases(b *testing.B) {
	prev, next := benchTables(10_000)
	p := New(Config{Source: &copyingSource{alternatingSource: alternatingSource{tables: [2]sampler.Snapshot{prev, next}}}})
	ctx := context.Background()
	take := func() { batch, _ := p.pending.take(); p.Recycle(batch.Snapshot) }
	p.sample(ctx)
	take()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		base := p.rec.base.Sockets
		for i := range 10 {
			s := base[i] // gone from the next table when base is prev
			if base[0].Cookie != prev.Sockets[0].Cookie {
				s = base[len(base)-1-i] // gone when base is next
			}
			p.release(sampler.Release{Socket: s, At: p.rec.base.Time}, nil)
		}
		p.sample(ctx)
		take()
	}
}
