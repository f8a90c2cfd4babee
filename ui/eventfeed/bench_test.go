package eventfeed

import (
	"testing"

	"github.com/porttop/porttop/sampler"
)

// BenchmarkFirstSample100k: the first sample of a busy machine, summed up
// in the = line (its sockets kept to recount under a filter), then a
// filter change recounting them.
func BenchmarkFirstSample100k(b *testing.B) {
	first := make([]sampler.Event, 100_000)
	for i := range first {
		first[i] = opened(1024+i%60000, t0)
		first[i].Existing = true
	}
	port := func(e *sampler.Event) bool { return e.Socket.Local.Port() == 2000 }
	b.ReportAllocs()
	for b.Loop() {
		m := New(styles(), 0)
		m.SetSize(80, 10)
		m.Add(first, t0)
		m.SetFilter(port)
	}
}
