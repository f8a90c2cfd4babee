//go:build linux

package netns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/nstest"
	"github.com/porttop/porttop/sampler/sockdiag"
	"github.com/porttop/porttop/sampler/tcpwalk"
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
//   - one_namespace_20k/changed_round: the Source's Sample over it after
//     a new TCP connection was made there (a full dump each round);
//   - 20_namespaces_1k/idle_round: the Source's Sample with nothing
//     changing (every namespace skipped as quiet);
//   - 20_namespaces_1k/changed_round: the Source's Sample after a new
//     TCP connection was made in every namespace (made outside the count):
//     every namespace is dumped in full;
//   - 20_namespaces_1k/udp_changed_round: the same after a UDP socket was
//     bound, or closed, in every namespace (a DNS lookup's, say): every
//     namespace is refreshed (listeners and UDP read, its other TCP
//     sockets carried);
//   - 20_namespaces_1k/full_dumps: every namespace dumped in full, no
//     quiet skip, no partial sample: the kernel's part of a changed round;
//   - 20_namespaces_1k/walked_changed_round: changed_round with the
//     namespaces' TCP sockets read by one walk of the established hash
//     (tcpwalk; walk_linux.go), the way New's Source reads them as root
//     (the rounds above have it switched off);
//   - 20_namespaces_1k/one_walk: every namespace read in full by one walk,
//     plus each one's listeners and UDP sockets: full_dumps's counterpart;
//   - one_namespace_20k/iter_walk and 20_namespaces_1k/iter_walks: the
//     TCP table read with the kernel's BPF socket iterator (iter/tcp)
//     instead, one walk begun inside each namespace (the iterator passes
//     only its creator's namespace: tcpiter_linux_test.go), a 16-byte
//     record per socket, no owners: a lower bound for such a reader.
//
// Each reports cpu-ms/op (this process's CPU around the rounds alone) and
// the sockets `ip netns exec NS ss -tan` lists in the namespaces read,
// with ss's own CPU (ss-cpu-ms, ip's setns and exec included) beside.
// The rounds report retained-B/socket too: the heap the Source keeps
// between rounds (the readers' tables, kept rows, spare slices, caches),
// with the last snapshot held as the poller holds it, per socket in it.
// A CPU profile (-test.cpuprofile) of the timed rounds alone:
// go tool pprof -tagfocus round=timed.
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
	b.Run(oneName+"/changed_round", func(b *testing.B) { benchRounds(b, []NS{one}, total, changeTCP, false) })
	b.Run(manyName+"/idle_round", func(b *testing.B) { benchRounds(b, many, total, changeNone, false) })
	b.Run(manyName+"/changed_round", func(b *testing.B) { benchRounds(b, many, total, changeTCP, false) })
	b.Run(manyName+"/udp_changed_round", func(b *testing.B) { benchRounds(b, many, total, changeUDP, false) })
	b.Run(manyName+"/full_dumps", func(b *testing.B) { benchDumps(b, many, total) })
	b.Run(manyName+"/walked_changed_round", func(b *testing.B) { benchRounds(b, many, total, changeTCP, true) })
	b.Run(manyName+"/one_walk", func(b *testing.B) { benchWalks(b, many, total) })
	b.Run(oneName+"/iter_walk", func(b *testing.B) { benchIterWalks(b, []NS{one}, total) })
	b.Run(manyName+"/iter_walks", func(b *testing.B) { benchIterWalks(b, many, total) })
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
// attribution of owners, releases watched. With a change, every namespace gets a new
// connection or UDP socket (the last round's closed) before each round,
// uncounted.
func benchRounds(b *testing.B, ns []NS, want int, change change, walk bool) {
	if walk {
		if w, err := tcpwalk.Open(); err != nil {
			b.Skip("the TCP walk cannot run here: ", err)
		} else {
			w.Close()
		}
		for _, n := range ns {
			if ok, err := SharesEhash(n); err != nil || !ok {
				b.Skip("these namespaces have TCP hashes of their own: a walk does not reach them")
			}
		}
	}
	heap0 := heapInUse()
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
	src.walk.off = !walk
	// Releases are watched, as porttop does: a UDP socket closed and
	// another bound leave the counts as they were, the close is heard.
	wctx, cancel := context.WithCancel(context.Background())
	out := make(chan sampler.Release, 1024)
	watched := make(chan error, 1)
	go func() { watched <- src.WatchReleases(wctx, out) }()
	go func() {
		for range out {
		}
	}()
	defer func() {
		cancel()
		<-watched
		close(out)
	}()
	for i := 0; ; i++ { // until every namespace's watcher runs
		src.mu.Lock()
		all := true
		for _, m := range src.members {
			all = all && m.watch != nil
		}
		src.mu.Unlock()
		if all {
			break
		}
		if i == 500 {
			b.Fatal("release watchers did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let them subscribe
	var changer *changer
	if change != changeNone {
		changer = newChanger(b, ns, change)
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
	// A second round before the timing: the first dumps every namespace
	// (a walk needs one dump of each first), the second opens the walk
	// program (once per Source: loading it is not a round's cost).
	if changer != nil {
		changer.step(b)
	}
	if _, err := src.Sample(ctx); err != nil {
		b.Fatal(err)
	}
	// The members' counts of how each was read, summed, and the walks
	// begun: taken around the timed rounds alone.
	counts := func() (c [4]uint64) {
		for _, m := range src.members {
			c[0] += m.quiet
			c[1] += m.refreshed
			c[2] += m.walked
		}
		c[3] = src.walk.walks
		return c
	}
	quiet := func() uint64 { return counts()[0] }
	before := counts()
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
		timed(ctx, func(ctx context.Context) {
			snap, err := src.Sample(ctx)
			if err != nil {
				b.Fatal(err)
			}
			src.Recycle(snap.Sockets) // as the poller does
		})
		c := cpuClock(b) - c0
		cpu += c
		if quiet()-q0 == uint64(len(src.members)) {
			skipped++
			skippedCPU += c
		}
	}
	b.StopTimer()
	after := counts()
	for i := range after {
		after[i] -= before[i]
	}
	// What the Source keeps between rounds, with the last snapshot still
	// held (as the poller holds it), per socket in it.
	last, err := src.Sample(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(heapInUse()-heap0)/float64(len(last.Sockets)), "retained-B/socket")
	runtime.KeepAlive(last)
	ms := func(d time.Duration, n int) float64 { return float64(d.Microseconds()) / 1000 / float64(max(n, 1)) }
	b.ReportMetric(ms(cpu, b.N), "cpu-ms/op")
	b.ReportMetric(float64(after[0])/float64(b.N*len(src.members)), "quiet/ns")
	b.ReportMetric(float64(after[1])/float64(b.N*len(src.members)), "refreshed/ns")
	if walk {
		b.ReportMetric(float64(after[2])/float64(b.N*len(ns)), "walked/ns")
		// More than 1: walks done again (a socket freed under one).
		b.ReportMetric(float64(after[3])/float64(b.N), "walks/op")
		if after[2] == 0 {
			b.Fatalf("no namespace read by the walk: %s", src.walk.note)
		}
	}
	if change == changeNone {
		b.ReportMetric(ms(skippedCPU, skipped), "skipped-cpu-ms")
		b.ReportMetric(ms(cpu-skippedCPU, b.N-skipped), "refresh-cpu-ms")
	}
	ssTotals(b, ns)
}

// change is what a changer changes in every namespace.
type change int

const (
	changeNone change = iota
	changeTCP         // a new connection (the last one reset)
	changeUDP         // a bound UDP socket, closed the next step
)

// changer makes a change in every namespace at each step, and undoes the
// one of the step before (a reset: no TIME_WAIT left behind).
type changer struct {
	kind  change
	ns    []NS
	lns   []net.Listener
	conns [][2]net.Conn
	udp   []net.PacketConn
}

func newChanger(b *testing.B, ns []NS, kind change) *changer {
	c := &changer{kind: kind, ns: ns, conns: make([][2]net.Conn, len(ns)), udp: make([]net.PacketConn, len(ns))}
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
		if c.kind == changeUDP && c.udp[i] != nil {
			c.reset(i) // a close this time, a new socket the next
			continue
		}
		c.reset(i)
		if c.kind == changeUDP {
			if err := Do(n, func() (err error) { c.udp[i], err = net.ListenPacket("udp4", "127.0.0.1:0"); return err }); err != nil {
				b.Fatal(err)
			}
			continue
		}
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
	if c.udp[i] != nil {
		c.udp[i].Close()
		c.udp[i] = nil
	}
}

func (c *changer) close() {
	for i, ln := range c.lns {
		c.reset(i)
		ln.Close()
	}
}

// timed runs a timed round with the pprof label round=timed, so that a
// profile of the whole benchmark (-test.cpuprofile) shows the timed
// rounds alone with -tagfocus round=timed: not the setup, nor the first
// round (which walks /proc and loads the walk program), nor the changes
// made between rounds.
func timed(ctx context.Context, f func(context.Context)) {
	pprof.Do(ctx, pprof.Labels("round", "timed"), f)
}

// timeRounds checks that a first round sees at least want sockets, then
// times round's CPU and reports it beside ss on the same namespaces.
func timeRounds(b *testing.B, ns []NS, want int, round func() int) {
	seen := round()
	if seen < want {
		b.Fatalf("a round saw %d sockets, want at least %d", seen, want)
	}
	b.ResetTimer()
	c0 := cpuClock(b)
	for b.Loop() {
		timed(context.Background(), func(context.Context) { seen = round() })
	}
	cpu := cpuClock(b) - c0
	b.StopTimer()
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(seen), "sockets")
	ssTotals(b, ns)
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
	timeRounds(b, ns, want, round)
}

// heapInUse is the bytes of live heap objects after a collection.
func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
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

// benchWalks times every namespace of ns read in full with one walk of
// the established hash (their TCP sockets other than listeners) and a
// dump of each one's listeners and UDP sockets (no walk of that hash),
// attributed together with one cache: benchDumps's counterpart.
func benchWalks(b *testing.B, ns []NS, want int) {
	w, err := tcpwalk.Open()
	if err != nil {
		b.Skip("the TCP walk cannot run here: ", err)
	}
	defer w.Close()
	in := map[uint64]bool{}
	var fresh []*sockdiag.Source
	for _, n := range ns {
		if ok, err := SharesEhash(n); err != nil || !ok {
			b.Skip("these namespaces have TCP hashes of their own: a walk does not reach them")
		}
		in[n.Inode] = true
		s, err := OpenSockDiag(n, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		s.WithoutOwners()
		s.SetPartial(false)
		q, _ := freshQuery(sampler.Query{})
		s.SetQuery(q)
		fresh = append(fresh, s)
	}
	owners := sockdiag.NewOwners()
	defer owners.Close()
	ctx := context.Background()
	var all []sampler.Socket
	var netns []uint64
	for ino := range in {
		netns = append(netns, ino)
	}
	round := func() int {
		all = all[:0]
		err := w.Walk(netns, func(r *tcpwalk.Row) { all = append(all, r.Socket) })
		if errors.Is(err, tcpwalk.ErrIncomplete) { // its ring buffer grew: once more
			all = all[:0]
			err = w.Walk(netns, func(r *tcpwalk.Row) { all = append(all, r.Socket) })
		}
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range fresh {
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
	timeRounds(b, ns, want, round)
}
