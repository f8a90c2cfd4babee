//go:build linux

package netns

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/nstest"
	"github.com/porttop/porttop/sampler/sockdiag"
)

// fillNamespace has helper processes hold conns loopback connections inside
// n (2*conns sockets), at most 2,500 each (5,000 descriptors), until the
// benchmark ends: the benchmark itself holds none.
func fillNamespace(b testing.TB, n NS, conns int) {
	b.Helper()
	for conns > 0 {
		c := min(conns, 2500)
		conns -= c
		h := startHelperEnv(b, n.Name, fmt.Sprintf("%s=%d", fillEnv, c))
		h.ready(b)
	}
}

// cpuClock is this process's CPU time, every thread's, user and system
// (the kernel's dump work is system time of the reading thread).
func cpuClock(b *testing.B) time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// The target: a round over 20 namespaces of 1,000 sockets each
// costs at most 1.5x one dump of 20k sockets in one namespace, side by
// side in one run (.ci/bench NETNS=1 runs this inside an empty namespace
// of its own, so that porttop's own namespace, which the Source always
// reads, adds an empty dump, not the host's table). Sub-benchmarks:
//
//   - one_namespace_20k/dump: the reference, a full dump of the 20k
//     namespace attributed to owners (one cache, as Source does);
//   - 20_namespaces_1k/idle_round: the Source's Sample with nothing
//     changing (every namespace skipped as quiet);
//   - 20_namespaces_1k/changed_round: the Source's Sample after a new
//     connection was made in every namespace (made outside the count);
//   - 20_namespaces_1k/full_dumps: every namespace dumped in full, no
//     quiet skip, no partial sample: the kernel's part of a changed round.
//
// Each reports cpu-ms/op (this process's CPU around the rounds alone) and
// the sockets `ip netns exec NS ss -tan` lists in the namespaces read,
// with ss's own CPU (ss-cpu-ms, ip's setns and exec included) beside.
func BenchmarkNamespaces(b *testing.B) {
	nstest.RequireRoot(b)
	const total, spread = 20000, 20
	one := inNamespaceB(b, nstest.Netns(b, "bench-one", 0, 0))
	fillNamespace(b, one, total/2)
	one = inNamespaceB(b, one.Name)
	var many []NS
	for i := range spread {
		n := inNamespaceB(b, nstest.Netns(b, fmt.Sprintf("bench-%d", i), 0, 0))
		fillNamespace(b, n, total/spread/2)
		many = append(many, inNamespaceB(b, n.Name))
	}
	oneName := fmt.Sprintf("one_namespace_%dk", total/1000)
	manyName := fmt.Sprintf("%d_namespaces_%dk", spread, total/spread/1000)
	b.Run(oneName+"/dump", func(b *testing.B) { benchDumps(b, []NS{one}, total) })
	b.Run(manyName+"/idle_round", func(b *testing.B) { benchRounds(b, many, total, false) })
	b.Run(manyName+"/changed_round", func(b *testing.B) { benchRounds(b, many, total, true) })
	b.Run(manyName+"/full_dumps", func(b *testing.B) { benchDumps(b, many, total) })
}

// ssTotals runs `ip netns exec NS ss -tan` in each namespace and reports
// the sockets listed and ss's CPU per listing of them all.
func ssTotals(b *testing.B, ns []NS) {
	var socks int
	var cpu time.Duration
	for _, n := range ns {
		cmd := exec.Command("ip", "netns", "exec", n.Name, "ss", "-tan")
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("ss in %s: %v", n.Name, err)
		}
		socks += bytes.Count(out, []byte("\n")) - 1 // the header
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	b.ReportMetric(float64(socks), "ss-sockets")
	b.ReportMetric(float64(cpu.Microseconds())/1000, "ss-cpu-ms")
}

// benchRounds times the multi-namespace Source's Sample over ns (and
// porttop's own namespace, which it always reads): dumps of the
// namespaces that changed, quiet ones skipped, cgroup tagging, one
// attribution of owners. With change, every namespace gets a new
// connection (the last round's reset) before each round, uncounted.
func benchRounds(b *testing.B, ns []NS, want int, change bool) {
	src, err := newSource(func() ([]NS, error) {
		list, err := Discover()
		if err != nil {
			return nil, err
		}
		keep := list[:0]
		for _, n := range list {
			if n.Self || slices.ContainsFunc(ns, func(x NS) bool { return x.Inode == n.Inode }) {
				keep = append(keep, n)
			}
		}
		return keep, nil
	})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	var changer *changer
	if change {
		changer = newChanger(b, ns)
		defer changer.close()
	}
	ctx := context.Background()
	snap, err := src.Sample(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if len(snap.Sockets) < want {
		b.Fatalf("a round saw %d sockets, want at least %d", len(snap.Sockets), want)
	}
	quiet := func() (q uint64) {
		for _, m := range src.members {
			q += m.quiet
		}
		return q
	}
	// Rounds in which every namespace was skipped, and the others (some
	// namespace changed, or its last dump reached poll.MaxQuietGap).
	var cpu, skippedCPU time.Duration
	var skipped int
	b.ResetTimer()
	for b.Loop() {
		if changer != nil {
			b.StopTimer()
			changer.step(b)
			b.StartTimer()
		}
		q0 := quiet()
		c0 := cpuClock(b)
		snap, err := src.Sample(ctx)
		if err != nil {
			b.Fatal(err)
		}
		src.Recycle(snap.Sockets) // as the poller does
		c := cpuClock(b) - c0
		cpu += c
		if quiet()-q0 == uint64(len(src.members)) {
			skipped++
			skippedCPU += c
		}
	}
	b.StopTimer()
	ms := func(d time.Duration, n int) float64 { return float64(d.Microseconds()) / 1000 / float64(max(n, 1)) }
	b.ReportMetric(ms(cpu, b.N), "cpu-ms/op")
	b.ReportMetric(float64(quiet())/float64(b.N*len(src.members)), "quiet/ns")
	if !change {
		b.ReportMetric(ms(skippedCPU, skipped), "skipped-cpu-ms")
		b.ReportMetric(ms(cpu-skippedCPU, b.N-skipped), "refresh-cpu-ms")
	}
	ssTotals(b, ns)
}

// changer makes a new connection in every namespace at each step, and
// resets the one of the step before (no TIME_WAIT left behind).
type changer struct {
	ns    []NS
	lns   []net.Listener
	conns [][2]net.Conn
}

func newChanger(b *testing.B, ns []NS) *changer {
	c := &changer{ns: ns, conns: make([][2]net.Conn, len(ns))}
	for _, n := range ns {
		var ln net.Listener
		if err := Do(n, func() (err error) { ln, err = net.Listen("tcp4", "127.0.0.1:0"); return err }); err != nil {
			b.Fatal(err)
		}
		c.lns = append(c.lns, ln)
	}
	return c
}

func (c *changer) step(b *testing.B) {
	for i, n := range c.ns {
		c.reset(i)
		addr := c.lns[i].Addr().String()
		var cl net.Conn
		if err := Do(n, func() (err error) { cl, err = net.Dial("tcp4", addr); return err }); err != nil {
			b.Fatal(err)
		}
		sv, err := c.lns[i].Accept()
		if err != nil {
			b.Fatal(err)
		}
		c.conns[i] = [2]net.Conn{cl, sv}
	}
}

func (c *changer) reset(i int) {
	for _, x := range c.conns[i] {
		if x != nil {
			_ = x.(*net.TCPConn).SetLinger(0)
			x.Close()
		}
	}
	c.conns[i] = [2]net.Conn{}
}

func (c *changer) close() {
	for i, ln := range c.lns {
		c.reset(i)
		ln.Close()
	}
}

// benchDumps times full dumps (no partial sample, no quiet skip) of every
// namespace of ns, their sockets attributed together with one cache.
func benchDumps(b *testing.B, ns []NS, want int) {
	var srcs []*sockdiag.Source
	for _, n := range ns {
		s, err := OpenSockDiag(n, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		s.WithoutOwners()
		s.SetPartial(false)
		srcs = append(srcs, s)
	}
	owners := sockdiag.NewOwners()
	defer owners.Close()
	ctx := context.Background()
	var all []sampler.Socket
	round := func() int {
		all = all[:0]
		for _, s := range srcs {
			snap, err := s.Sample(ctx)
			if err != nil {
				b.Fatal(err)
			}
			all = append(all, snap.Sockets...)
			s.Recycle(snap.Sockets)
		}
		owners.Attribute(all, time.Now())
		return len(all)
	}
	if got := round(); got < want {
		b.Fatalf("a round saw %d sockets, want at least %d", got, want)
	}
	b.ResetTimer()
	c0 := cpuClock(b)
	for b.Loop() {
		round()
	}
	cpu := cpuClock(b) - c0
	b.StopTimer()
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(len(all)), "sockets")
	ssTotals(b, ns)
}

func inNamespaceB(b *testing.B, name string) NS {
	b.Helper()
	list, err := Discover()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range list {
		if n.Name == name {
			return n
		}
	}
	b.Fatalf("namespace %s not discovered", name)
	return NS{}
}
