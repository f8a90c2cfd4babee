//go:build linux

package sockdiag

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/poll"
	"github.com/porttop/porttop/sampler/procowner"
	"github.com/porttop/porttop/sampler/psutil"
)

// cpuClock reads this process's CPU time (user+system, every thread: the
// garbage collector's work counts too).
func cpuClock(b *testing.B) time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs op b.N times and reports CPU time and sockets per sample.
func measure(b *testing.B, op func() int) {
	b.Helper()
	op() // warm caches and buffers outside the count
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuClock(b)
	var socks int
	for i := 0; i < b.N; i++ {
		socks = op()
	}
	cpu := cpuClock(b) - cpu0
	b.StopTimer()
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(socks), "sockets")
}

// benchSource opens a source over the held table. Unless partial is true,
// every sample is a full dump.
// measureSamples measures src.Sample as measure does.
func measureSamples(b *testing.B, src sampler.Source) {
	b.Helper()
	ctx := context.Background()
	measure(b, func() int {
		snap, err := src.Sample(ctx)
		if err != nil {
			b.Fatal(err)
		}
		return len(snap.Sockets)
	})
}

func benchSource(b *testing.B, partial bool) *Source {
	holdForBench(b)
	s, err := New()
	if err != nil {
		b.Skipf("netlink unavailable: %v", err)
	}
	s.SetPartial(partial)
	b.Cleanup(func() { s.Close() })
	return s
}

// reportPartialShare reports the share of samples that were partial.
func reportPartialShare(b *testing.B, s *Source) {
	s.mu.Lock()
	p, f := s.part.partials, s.part.fulls
	s.mu.Unlock()
	if p+f > 0 {
		b.ReportMetric(100*float64(p)/float64(p+f), "partial-%")
	}
}

// BenchmarkRawDump: the kernel's part alone: the same dumps, parsed into a
// reused slice, with no attribution and no snapshot. The floor for Sample.
func BenchmarkRawDump(b *testing.B) {
	s := benchSource(b, false)
	socks := make([]sampler.Socket, 0, 4*benchConns())
	measure(b, func() int {
		var err error
		if socks, err = s.dumpAll(socks[:0]); err != nil {
			b.Fatal(err)
		}
		return len(socks)
	})
}

// BenchmarkKernelWalk: the same dumps with a kernel filter that rejects
// every socket: the kernel walks its tables and tests each socket but
// returns no row. RawDump less this is what the kernel spends filling the
// rows, which any sample of the whole table has to receive.
func BenchmarkKernelWalk(b *testing.B) {
	s := benchSource(b, false)
	rejectAll := appendOp(nil, bcJmp, bcOpSz, 2*bcOpSz) // jump 4 bytes past the end
	plan := make([]dump, len(s.plan))
	for i, d := range s.plan {
		d.bytecode = rejectAll
		plan[i] = d
	}
	measure(b, func() int {
		socks, err := s.dumpPlan(nil, plan)
		if err != nil {
			b.Fatal(err)
		}
		if len(socks) != 0 {
			b.Fatalf("a reject-all filter returned %d sockets", len(socks))
		}
		return len(socks)
	})
}

// BenchmarkSample: a full sample: dump TCP and UDP, IPv4 and IPv6, parse,
// attribute from the warm inode cache. Each sample allocates its Sockets
// slice.
func BenchmarkSample(b *testing.B) {
	measureSamples(b, benchSource(b, false))
}

// BenchmarkSampleRecycled: as BenchmarkSample, with each snapshot handed back
// through Recycle once the next one is taken (as a poller may do).
func BenchmarkSampleRecycled(b *testing.B) {
	s := benchSource(b, false)
	ctx := context.Background()
	var prev []sampler.Socket
	measure(b, func() int {
		snap, err := s.Sample(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if prev != nil {
			s.Recycle(prev)
		}
		prev = snap.Sockets
		return len(snap.Sockets)
	})
}

// BenchmarkSampleDiff: a full poll as the poller does it: sample, then diff
// against the previous sample.
func BenchmarkSampleDiff(b *testing.B) {
	benchSampleDiff(b, benchSource(b, false))
}

// BenchmarkSamplePartialDiff: BenchmarkSampleDiff as porttop runs it by
// default, where a sample is partial (ESTABLISHED sockets carried over) while
// the kernel's counters show no new connection, and full at least once a
// second. The held table is idle, so this is the steady state of a quiet
// machine; partial-% says how many samples were partial.
func BenchmarkSamplePartialDiff(b *testing.B) {
	s := benchSource(b, true)
	benchSampleDiff(b, s)
	reportPartialShare(b, s)
}

func benchSampleDiff(b *testing.B, s *Source) {
	ctx := context.Background()
	var d sampler.Differ
	prev, err := s.Sample(ctx)
	if err != nil {
		b.Fatal(err)
	}
	measure(b, func() int {
		next, err := s.Sample(ctx)
		if err != nil {
			b.Fatal(err)
		}
		d.Diff(prev, &next)
		prev = next
		return len(next.Sockets)
	})
}

// BenchmarkSampleOnePort: a filtered view (one port) narrowed in the kernel.
func BenchmarkSampleOnePort(b *testing.B) {
	s := benchSource(b, false)
	s.SetQuery(sampler.Query{Ports: []sampler.PortRange{{Lo: 22, Hi: 22}}})
	measureSamples(b, s)
}

// BenchmarkProcWalk: one walk of /proc/*/fd, what the cache saves per sample.
func BenchmarkProcWalk(b *testing.B) {
	holdForBench(b)
	o := procowner.New("/proc")
	defer o.Close()
	measure(b, o.Walk)
}

// BenchmarkSS: `ss -tan` over the same table, its own CPU time (child rusage).
func BenchmarkSS(b *testing.B) {
	holdForBench(b)
	if _, err := exec.LookPath("ss"); err != nil {
		b.Skip("ss not installed")
	}
	b.ReportAllocs()
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		cmd := exec.Command("ss", "-tan")
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// BenchmarkGopsutil: the portable source over the same table.
func BenchmarkGopsutil(b *testing.B) {
	holdForBench(b)
	measureSamples(b, psutil.New())
}

// BenchmarkPoller: one poll through the poller, as `porttop watch` runs it:
// dump (partial while the counters allow, full at least once a second),
// parse, cached owners, diff, publish, with the release watcher running and
// each batch's snapshot recycled once taken.
func BenchmarkPoller(b *testing.B) {
	s := benchSource(b, true)
	defer reportPartialShare(b, s)
	benchPoller(b, s)
}

// BenchmarkPollerFull: BenchmarkPoller with every sample a full dump, as
// porttop polls when connections open on every tick.
func BenchmarkPollerFull(b *testing.B) {
	benchPoller(b, benchSource(b, false))
}

func benchPoller(b *testing.B, s *Source) {
	p := poll.New(poll.Config{Source: s, Interval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
	poll := func() int {
		p.Poke()
		for {
			batch, err := p.Next(ctx)
			if err != nil {
				b.Fatal(err)
			}
			p.Recycle(batch.Snapshot)
			if batch.Err != nil {
				b.Fatal(batch.Err)
			}
			if batch.Samples > 0 {
				return len(batch.Snapshot.Sockets)
			}
		}
	}
	poll() // the first sample, whose sockets all open
	measure(b, poll)
}
