//go:build linux

package ebpf

import (
	"context"
	"net"
	"testing"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// BenchmarkKernelCostPerConnection opens and closes loopback connections
// with the programs attached and reports, from the kernel's own BPF run-time
// statistics, how long the programs ran per connection (all transitions of
// both ends, and the connect syscall programs) and per program run; the
// records are read and decoded meanwhile.
func BenchmarkKernelCostPerConnection(b *testing.B) {
	if unix.Geteuid() != 0 {
		b.Skip("needs root to load the programs")
	}
	stats, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
	if err != nil {
		b.Skipf("kernel BPF statistics unavailable: %v", err)
	}
	defer stats.Close()
	p, err := Open()
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Read(ctx, func([]byte) {})
	}()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		a, err := ln.Accept()
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
		a.Close()
	}
	b.StopTimer()
	var runs, ns, twRuns, twNs uint64
	for _, pr := range p.progs {
		st, err := pr.Stats()
		if err != nil {
			b.Fatal(err)
		}
		runs += st.RunCount
		ns += uint64(st.Runtime)
		if info, err := pr.Info(); err == nil && info.Name == "porttop_tw" {
			// Runs for every timer the kernel arms, this test's or not.
			twRuns, twNs = st.RunCount, uint64(st.Runtime)
		}
	}
	b.ReportMetric(float64(twNs)/float64(b.N), "tw-bpf-ns/conn")
	b.ReportMetric(float64(twRuns)/float64(b.N), "tw-runs/conn")
	cancel()
	<-done
	b.ReportMetric(float64(ns)/float64(b.N), "bpf-ns/conn")
	if runs > 0 {
		b.ReportMetric(float64(ns)/float64(runs), "bpf-ns/run")
	}
	b.ReportMetric(float64(runs)/float64(b.N), "runs/conn")
}
