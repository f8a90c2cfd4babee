//go:build linux

package ebpf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/porttop/porttop/sampler"
)

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("loading BPF programs needs root (or CAP_BPF and CAP_PERFMON): run the tests as root to check the kernel side")
	}
}

// openProbe opens the probe and closes it when the test ends.
func openProbe(t *testing.T) *Probe {
	t.Helper()
	p, err := Open()
	if err != nil {
		t.Fatalf("Open as root: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// collector gathers what the probe streams, from the moment it starts.
type collector struct {
	mu       sync.Mutex
	trans    []sampler.Transition
	failures []sampler.PortFailure
}

func collect(t *testing.T, p *Probe) *collector {
	c := &collector{}
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan sampler.Transition, 4096)
	failed := make(chan sampler.PortFailure, 256)
	done := make(chan error, 1)
	go func() { done <- p.WatchTransitions(ctx, out, failed) }()
	go func() {
		for {
			select {
			case tr := <-out:
				c.mu.Lock()
				c.trans = append(c.trans, tr)
				c.mu.Unlock()
			case pf := <-failed:
				c.mu.Lock()
				c.failures = append(c.failures, pf)
				c.mu.Unlock()
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("WatchTransitions: %v", err)
		}
	})
	return c
}

// waitFor polls until ok holds or 10 seconds pass (records arrive
// asynchronously; this bounds a hang, it measures nothing).
func (c *collector) waitFor(ok func(trans []sampler.Transition, failures []sampler.PortFailure) bool) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c.mu.Lock()
		done := ok(c.trans, c.failures)
		c.mu.Unlock()
		if done {
			return true
		}
	}
	return false
}

func (c *collector) snapshot() ([]sampler.Transition, []sampler.PortFailure) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]sampler.Transition(nil), c.trans...), append([]sampler.PortFailure(nil), c.failures...)
}

func TestOpenWithoutPrivilegeSaysWhy(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: the not-permitted path needs an unprivileged user (CI runs the suite again as uid 65534)")
	}
	p, err := Open()
	if err == nil {
		p.Close()
		t.Fatal("Open succeeded without privilege")
	}
	var ue *UnavailableError
	if !errors.As(err, &ue) || !ue.NotPermitted {
		t.Fatalf("err = %#v, want a not-permitted UnavailableError", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "CAP_BPF") {
		t.Errorf("message %q should be one line naming what would enable it", msg)
	}
}

func TestProbeLoadsAttachesAndReleasesEverything(t *testing.T) {
	requireRoot(t)
	p, err := Open()
	if err != nil {
		t.Fatalf("Open as root: %v", err)
	}
	if len(p.progs) != 6 || len(p.links) != 6 {
		t.Fatalf("%d programs, %d links, want 6 and 6 (notes: %v)", len(p.progs), len(p.links), p.Notes())
	}
	var progIDs []ebpf.ProgramID
	for _, pr := range p.progs {
		info, err := pr.Info()
		if err != nil {
			t.Fatal(err)
		}
		id, ok := info.ID()
		if !ok || !strings.HasPrefix(info.Name, "porttop_") {
			t.Fatalf("program %q id %d/%v", info.Name, id, ok)
		}
		progIDs = append(progIDs, id)
	}
	var linkIDs []link.ID
	for _, l := range p.links {
		info, err := l.Info()
		if err != nil {
			t.Fatal(err)
		}
		linkIDs = append(linkIDs, info.ID)
	}
	var mapIDs []ebpf.MapID
	for _, m := range []*ebpf.Map{p.events, p.args, p.stats} {
		info, err := m.Info()
		if err != nil {
			t.Fatal(err)
		}
		id, _ := info.ID()
		mapIDs = append(mapIDs, id)
	}
	if !inKernel(progIDs, linkIDs) {
		t.Fatal("the loaded programs are not listed by the kernel")
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// The kernel frees links and maps from a work queue: give it a moment.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		left := leftovers(progIDs, linkIDs, mapIDs)
		if left == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after Close the kernel still holds %s", left)
		}
	}
}

// inKernel reports whether every id shows up when listing the kernel's
// programs and links.
func inKernel(progs []ebpf.ProgramID, links []link.ID) bool {
	seen := map[uint32]bool{}
	for id, err := ebpf.ProgramGetNextID(0); err == nil; id, err = ebpf.ProgramGetNextID(id) {
		seen[uint32(id)] = true
	}
	for _, id := range progs {
		if !seen[uint32(id)] {
			return false
		}
	}
	linked := linkIDs()
	for _, id := range links {
		if !linked[id] {
			return false
		}
	}
	return true
}

// linkIDs lists the kernel's links (the iterator opens each one to list it
// and closes it again).
func linkIDs() map[link.ID]bool {
	it := new(link.Iterator)
	defer it.Close()
	ids := map[link.ID]bool{}
	for it.Next() {
		ids[it.ID] = true
	}
	return ids
}

// leftovers names those of the ids the kernel still has.
func leftovers(progs []ebpf.ProgramID, links []link.ID, maps []ebpf.MapID) string {
	var left []string
	for id, err := ebpf.ProgramGetNextID(0); err == nil; id, err = ebpf.ProgramGetNextID(id) {
		for _, mine := range progs {
			if id == mine {
				left = append(left, "a program")
			}
		}
	}
	linked := linkIDs()
	for _, mine := range links {
		if linked[mine] {
			left = append(left, "a link")
		}
	}
	for id, err := ebpf.MapGetNextID(0); err == nil; id, err = ebpf.MapGetNextID(id) {
		for _, mine := range maps {
			if id == mine {
				left = append(left, "a map")
			}
		}
	}
	return strings.Join(left, ", ")
}

func ownComm(t *testing.T) string {
	b, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestLoopbackTransitionsCarryTheProcess opens 100 loopback connections in
// each close order and checks every transition the kernel reported for
// them: all inside TCP's state machine, each socket's chain unbroken, and
// the connects, listens and closes carrying this process.
func TestLoopbackTransitionsCarryTheProcess(t *testing.T) {
	requireRoot(t)
	for _, tc := range []struct{ clientFirst, classic bool }{{true, false}, {false, false}, {true, true}, {false, true}} {
		clientFirst := tc.clientFirst
		name := "server closes first"
		if clientFirst {
			name = "client closes first"
		}
		if tc.classic {
			name += ", classic tracepoint"
		}
		t.Run(name, func(t *testing.T) {
			p, err := open(options{classic: tc.classic})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { p.Close() })
			if p.Cookies() == tc.classic {
				t.Fatalf("Cookies() = %v on this kernel (notes: %v)", p.Cookies(), p.Notes())
			}
			c := collect(t, p)
			ln, err := net.Listen("tcp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			port := uint16(ln.Addr().(*net.TCPAddr).Port)
			const n = 100
			for i := 0; i < n; i++ {
				closeConn(t, ln, clientFirst)
			}
			ln.Close()
			mine := func(tr sampler.Transition) bool { return tr.Local.Port() == port || tr.Remote.Port() == port }
			// Per connection: the client's 2 opening transitions and
			// the server child's 2, then 3 on each side's way out;
			// plus the listener's 2.
			want := n*10 + 2
			ok := c.waitFor(func(trans []sampler.Transition, _ []sampler.PortFailure) bool {
				k := 0
				for _, tr := range trans {
					if mine(tr) {
						k++
					}
				}
				return k >= want
			})
			trans, _ := c.snapshot()
			var got []sampler.Transition
			for _, tr := range trans {
				if mine(tr) {
					got = append(got, tr)
				}
			}
			if !ok {
				cnt := map[string]int{}
				for _, tr := range trans {
					cnt[fmt.Sprintf("%v->%v %v %v", tr.From, tr.To, tr.Local.Port() == port, tr.Remote.Port() == port)]++
				}
				t.Logf("transitions by kind (local, remote port is the test's): %v", cnt)
				t.Fatalf("%d transitions for the test's port, want %d", len(got), want)
			}
			checkTransitions(t, got, port, n, ownComm(t))
		})
	}
}

// closeConn makes one connection through ln and closes it: the first closer
// closes, the other reads to the end and then closes, so the order is fixed.
func closeConn(t *testing.T, ln net.Listener, clientFirst bool) {
	t.Helper()
	closeConnSaying(t, ln, clientFirst, func(uint16) {})
}

// closeConnSaying is closeConn that first tells dialed the client's port.
func closeConnSaying(t *testing.T, ln net.Listener, clientFirst bool, dialed func(clientPort uint16)) {
	t.Helper()
	client, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	dialed(uint16(client.LocalAddr().(*net.TCPAddr).Port))
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	first, second := server, client
	if clientFirst {
		first, second = client, server
	}
	first.Close()
	if _, err := io.Copy(io.Discard, second); err != nil {
		t.Fatal(err)
	}
	second.Close()
}

func checkTransitions(t *testing.T, got []sampler.Transition, port uint16, n int, comm string) {
	t.Helper()
	pid := int32(os.Getpid())
	ns, err := OwnNetns()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[[2]sampler.State]int{}
	last := map[uint64]sampler.State{} // each socket's state so far
	for _, tr := range got {
		if !sampler.ValidTransition(tr.From, tr.To) {
			t.Errorf("outside TCP's state machine: %s -> %s (%v -> %v)", tr.From, tr.To, tr.Local, tr.Remote)
		}
		if prev, seen := last[tr.Sock]; seen && prev != tr.From {
			t.Errorf("socket %#x went %s, then %s -> %s", tr.Sock, prev, tr.From, tr.To)
		}
		last[tr.Sock] = tr.To
		if tr.To == sampler.StateClose {
			delete(last, tr.Sock) // the address may be reused by a new socket
		}
		counts[[2]sampler.State{tr.From, tr.To}]++
		if tr.NetNS != ns {
			t.Errorf("%s -> %s in network namespace %d, want %d", tr.From, tr.To, tr.NetNS, ns)
		}
		if tr.Actor.Known != InProcess(tr.From, tr.To) {
			t.Errorf("%s -> %s: process known = %v", tr.From, tr.To, tr.Actor.Known)
		}
		if tr.Actor.Known && (tr.Actor.PID != pid || tr.Actor.Comm != comm) {
			t.Errorf("%s -> %s by %d %q, want %d %q", tr.From, tr.To, tr.Actor.PID, tr.Actor.Comm, pid, comm)
		}
		if tr.At.IsZero() || time.Since(tr.At) > time.Minute || time.Until(tr.At) > time.Second {
			t.Errorf("%s -> %s at %v, not now", tr.From, tr.To, tr.At)
		}
	}
	S := func(a, b sampler.State) [2]sampler.State { return [2]sampler.State{a, b} }
	for k, want := range map[[2]sampler.State]int{
		S(sampler.StateClose, sampler.StateListen):          1,
		S(sampler.StateListen, sampler.StateClose):          1,
		S(sampler.StateClose, sampler.StateSynSent):         n,
		S(sampler.StateSynSent, sampler.StateEstablished):   n,
		S(sampler.StateListen, sampler.StateSynRecv):        n,
		S(sampler.StateSynRecv, sampler.StateEstablished):   n,
		S(sampler.StateEstablished, sampler.StateFinWait1):  n,
		S(sampler.StateFinWait1, sampler.StateFinWait2):     n,
		S(sampler.StateFinWait2, sampler.StateClose):        n, // handed to TIME_WAIT
		S(sampler.StateEstablished, sampler.StateCloseWait): n,
		S(sampler.StateCloseWait, sampler.StateLastAck):     n,
		S(sampler.StateLastAck, sampler.StateClose):         n,
	} {
		if counts[k] != want {
			t.Errorf("%s -> %s: %d, want %d", k[0], k[1], counts[k], want)
		}
	}
	// The connects name the listener, from port 0 (the port is picked
	// after the state changes).
	for _, tr := range got {
		if tr.From == sampler.StateClose && tr.To == sampler.StateSynSent && (tr.Remote.Port() != port || tr.Remote.Addr().String() != "127.0.0.1") {
			t.Errorf("connect to %v, want 127.0.0.1:%d", tr.Remote, port)
			break
		}
	}
}
