//go:build linux

package netns

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/nstest"
	"github.com/porttop/porttop/sampler/ports"
)

// hostRange reads this process's namespace's range.
func hostRange(t *testing.T) ports.Range {
	t.Helper()
	b, err := os.ReadFile(rangePath)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ports.ParseLinuxRange(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Two namespaces, each with its own range (b's outside the host's), a
// listener on the same port 7777 in each: one made by this process inside
// a, one by a process running in b from a container-named cgroup. Every
// namespace is found, each reads its own range, and the multi-namespace
// Source tells the two listeners apart by namespace, cgroup and container.
func TestEveryNamespaceAndWhoseSockets(t *testing.T) {
	nstest.RequireRoot(t)
	host := hostRange(t)
	nameA := nstest.Netns(t, "a", 40000, 40999)
	nameB := nstest.Netns(t, "b", 61000, 61999)
	if (ports.Range{Lo: 61000, Hi: 61999}) == host {
		t.Skip("the host's own range is the test's: nothing to tell apart")
	}
	dir, cid := nstest.ContainerScope(t)

	h := startHelper(t, nameB, "127.0.0.1:7777")
	nstest.MoveIn(t, dir, h.cmd.Process.Pid)
	h.listen(t)

	a, b := inNamespace(t, nameA), inNamespace(t, nameB)
	if a.PID != 0 {
		t.Errorf("nothing runs in %s, yet discovery gave it pid %d", nameA, a.PID)
	}
	if b.PID != int32(h.cmd.Process.Pid) {
		t.Errorf("%s: pid %d, want the helper's %d", nameB, b.PID, h.cmd.Process.Pid)
	}
	if a.Inode == b.Inode || a.Self || b.Self {
		t.Fatalf("namespaces not told apart: %+v %+v", a, b)
	}
	lnA, clientA, serverA := pairIn(t, a, "127.0.0.1:7777")
	defer lnA.Close()
	defer clientA.Close()
	defer serverA.Close()

	for _, c := range []struct {
		n    NS
		want ports.Range
	}{{a, ports.Range{Lo: 40000, Hi: 40999}}, {b, ports.Range{Lo: 61000, Hi: 61999}}} {
		r, err := OpenRange(c.n)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Read()
		r.Close()
		if err != nil || got != c.want {
			t.Errorf("%s: range %v, %v; want %v", c.n.Label(), got, err, c.want)
		}
	}
	if got := hostRange(t); got != host {
		t.Errorf("reading the namespaces' ranges changed ours: %v, was %v", got, host)
	}

	src, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	snap, err := src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	listeners := map[uint64]sampler.Socket{}
	clients := map[uint64]int{}
	for _, s := range snap.Sockets {
		if s.Proto != sampler.TCP {
			continue
		}
		if s.State == sampler.StateListen && s.Local.Port() == 7777 {
			if _, dup := listeners[s.Netns]; dup {
				t.Errorf("two listeners on 7777 in net:[%d]", s.Netns)
			}
			listeners[s.Netns] = s
		}
		if s.State == sampler.StateEstablished && s.Remote.Port() == 7777 {
			clients[s.Netns]++
		}
	}
	if len(listeners) != 2 {
		t.Logf("namespaces: %+v", src.Namespaces())
		t.Fatalf("listeners on 7777 by namespace: %+v; want one in %s and one in %s", listeners, nameA, nameB)
	}
	la, lb := listeners[a.Inode], listeners[b.Inode]
	if la.NetnsName() != nameA || lb.NetnsName() != nameB {
		t.Errorf("names: %q and %q, want %q and %q", la.NetnsName(), lb.NetnsName(), nameA, nameB)
	}
	if clients[a.Inode] != 1 || clients[b.Inode] != 1 {
		t.Errorf("clients of 7777 by namespace: %v, want one in each", clients)
	}
	wantCg := "/" + filepath.Base(dir)
	if lb.Cgroup() != wantCg || lb.Container() != cid[:12] {
		t.Errorf("%s's listener: cgroup %q container %q; want %q and %q", nameB, lb.Cgroup(), lb.Container(), wantCg, cid[:12])
	}
	if la.Container() != "" || la.Cgroup() == "" || la.Cgroup() == wantCg {
		t.Errorf("%s's listener (this test's): cgroup %q container %q; want this process's cgroup, no container", nameA, la.Cgroup(), la.Container())
	}
	if lb.PID != int32(h.cmd.Process.Pid) || la.PID != int32(os.Getpid()) {
		t.Errorf("owners: %d in %s (want %d), %d in %s (want %d)", lb.PID, nameB, h.cmd.Process.Pid, la.PID, nameA, os.Getpid())
	}

	ranges := map[uint64]ports.Range{}
	for _, i := range src.Namespaces() {
		if i.Err != "" {
			t.Errorf("%s not read: %s", i.Label(), i.Err)
		}
		ranges[i.Inode] = i.Range
		if i.Self && i.Range != host {
			t.Errorf("own namespace's range %v, want %v", i.Range, host)
		}
	}
	if ranges[a.Inode] != (ports.Range{Lo: 40000, Hi: 40999}) || ranges[b.Inode] != (ports.Range{Lo: 61000, Hi: 61999}) {
		t.Errorf("ranges by namespace: %v", ranges)
	}
}

// A namespace deleted while the Source reads it: at the next discovery its
// reader is closed, and no goroutine or descriptor of it is left.
func TestDeletedNamespaceLeavesNothing(t *testing.T) {
	nstest.RequireRoot(t)
	name := nstest.Netns(t, "gone", 0, 0)
	n := inNamespace(t, name)
	ln, client, server := pairIn(t, n, "127.0.0.1:7777")

	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	src, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	snap, err := src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if countIn(snap, n.Inode) != 3 {
		t.Fatalf("%d sockets in %s before deletion, want 3", countIn(snap, n.Inode), name)
	}
	if src.members[n.Inode] == nil {
		t.Fatal("no reader of the namespace")
	}
	ln.Close()
	client.Close()
	server.Close()
	nstest.Run(t, "ip", "netns", "del", name)

	src.mu.Lock()
	src.last = time.Time{} // a discovery is due
	src.mu.Unlock()
	snap, err = src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c := countIn(snap, n.Inode); c != 0 {
		t.Errorf("%d sockets of the deleted namespace still reported", c)
	}
	if src.members[n.Inode] != nil {
		t.Error("the deleted namespace's reader is still open")
	}
	for _, i := range src.Namespaces() {
		if i.Inode == n.Inode {
			t.Errorf("the deleted namespace is still listed: %+v", i)
		}
	}
	src.Close()
	if g := runtime.NumGoroutine(); g > goroutines {
		t.Errorf("%d goroutines after closing, %d before opening", g, goroutines)
	}
	if f := openFDs(t); f > fds {
		t.Errorf("%d descriptors open after closing, %d before opening", f, fds)
	}
}

func countIn(snap sampler.Snapshot, inode uint64) int {
	c := 0
	for _, s := range snap.Sockets {
		if s.Netns == inode {
			c++
		}
	}
	return c
}

func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// A namespace skipped as quiet never hides a change: listeners opened and
// closed inside a namespace with a process (so its counters are read) show
// and go at the very next Sample, every time.
func TestQuietNamespaceHidesNoChange(t *testing.T) {
	nstest.RequireRoot(t)
	name := nstest.Netns(t, "quiet", 0, 0)
	h := startHelper(t, name, "127.0.0.1:7000")
	h.listen(t)
	n := inNamespace(t, name)
	src := sourceOf(t, n)
	defer src.Close()
	has := func(port uint16) bool {
		snap, err := src.Sample(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range snap.Sockets {
			if s.Netns == n.Inode && s.State == sampler.StateListen && s.Local.Port() == port {
				return true
			}
		}
		return false
	}
	if !has(7000) {
		t.Fatal("the helper's listener is not seen")
	}
	for i := range 20 {
		port := uint16(7100 + i)
		var ln interface{ Close() error }
		if err := Do(n, func() (err error) {
			ln, err = net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(int(port)))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if !has(port) {
			t.Fatalf("round %d: a new listener on %d is not seen", i, port)
		}
		has(port) // a quiet round, most likely
		ln.Close()
		if has(port) {
			t.Fatalf("round %d: a closed listener on %d is still seen", i, port)
		}
	}
	src.mu.Lock()
	quiet := src.members[n.Inode].quiet
	src.mu.Unlock()
	t.Logf("%d of the namespace's samples were skipped as quiet", quiet)
}

// sourceOf is a Source over porttop's own namespace and n only, not the
// others on the machine (other tests' namespaces come and go).
func sourceOf(t *testing.T, n NS) *Source {
	t.Helper()
	src, err := newSource(func() ([]NS, error) {
		list, err := Discover()
		keep := list[:0]
		for _, x := range list {
			if x.Self || x.Inode == n.Inode {
				keep = append(keep, x)
			}
		}
		return keep, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}
