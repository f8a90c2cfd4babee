package psutil

import (
	"context"
	"testing"
)

// BenchmarkSample reads this machine's real table, whatever its size.
func BenchmarkSample(b *testing.B) {
	src := New()
	ctx := context.Background()
	var n int
	b.ReportAllocs()
	for b.Loop() {
		snap, err := src.Sample(ctx)
		if err != nil {
			b.Fatal(err)
		}
		n = len(snap.Sockets)
	}
	b.ReportMetric(float64(n), "sockets")
}
