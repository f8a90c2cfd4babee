//go:build linux

package netns

import (
	"cmp"
	"context"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/nstest"
	"github.com/porttop/porttop/sampler/poll"
)

// Quiet namespaces: a namespace is skipped while its own counters hold
// still and its release watcher hears nothing, and never past a change.

// sourceOver is a Source over porttop's own namespace and ns only.
func sourceOver(t *testing.T, ns ...NS) *Source {
	t.Helper()
	src, err := newSource(func() ([]NS, error) {
		list, err := Discover()
		keep := list[:0]
		for _, x := range list {
			if x.Self || slices.ContainsFunc(ns, func(n NS) bool { return n.Inode == x.Inode }) {
				keep = append(keep, x)
			}
		}
		return keep, err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// freeze stops src's clock (so that no read is due by time alone, however
// slow the machine) and returns what moves it on.
func freeze(src *Source) (advance func(time.Duration)) {
	var mu sync.Mutex
	t := time.Now()
	src.mu.Lock()
	src.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return t }
	src.mu.Unlock()
	return func(d time.Duration) { mu.Lock(); t = t.Add(d); mu.Unlock() }
}

// quietCount is how many samples skipped namespace n.
func quietCount(t *testing.T, src *Source, n NS) uint64 {
	t.Helper()
	src.mu.Lock()
	defer src.mu.Unlock()
	m := src.members[n.Inode]
	if m == nil {
		t.Fatalf("%s is not read", n.Label())
	}
	return m.quiet
}

// settle samples until namespace n would be skipped (its last dump
// stands), so that what follows starts from a quiet namespace.
func settle(t *testing.T, src *Source, n NS) {
	t.Helper()
	for range 50 {
		sampleOf(t, src)
		src.mu.Lock()
		q := src.members[n.Inode].isQuiet(src.now())
		src.mu.Unlock()
		if q {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never went quiet", n.Label())
}

func sampleOf(t *testing.T, src *Source) []sampler.Socket {
	t.Helper()
	snap, err := src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return snap.Sockets
}

// A namespace with no process in it (its counters are read through files
// opened inside it) is skipped while idle, and each kind of change made in
// it while it is quiet (a listener, a connection, a bound UDP socket, and
// each of them closed) is seen by the very next Sample.
func TestChangeInQuietNamespaceShowsAtOnce(t *testing.T) {
	nstest.RequireRoot(t)
	n := inNamespace(t, nstest.Netns(t, "qchange", 0, 0))
	if n.PID != 0 {
		t.Fatalf("nothing runs in %s, yet it has pid %d", n.Label(), n.PID)
	}
	src := sourceOver(t, n)
	freeze(src)
	in := func(s []sampler.Socket, match func(sampler.Socket) bool) bool {
		return slices.ContainsFunc(s, func(x sampler.Socket) bool { return x.Netns == n.Inode && match(x) })
	}
	var (
		ln             net.Listener
		client, server net.Conn
		udp            net.PacketConn
	)
	listener := func(x sampler.Socket) bool {
		return x.Proto == sampler.TCP && x.State == sampler.StateListen && x.Local.Port() == 7300
	}
	conn := func(x sampler.Socket) bool {
		return x.Proto == sampler.TCP && x.State == sampler.StateEstablished && x.Remote.Port() == 7300
	}
	bound := func(x sampler.Socket) bool { return x.Proto == sampler.UDP && x.Local.Port() == 7301 }
	steps := []struct {
		name   string
		change func() error
		match  func(sampler.Socket) bool
		shows  bool
		// refreshed: read by a refresh (listeners and UDP), not a full dump
		refreshed bool
	}{
		{"a listener opened", func() (err error) {
			return Do(n, func() error { ln, err = net.Listen("tcp4", "127.0.0.1:7300"); return err })
		}, listener, true, true},
		{"a connection made", func() (err error) {
			if err = Do(n, func() error { client, err = net.Dial("tcp4", "127.0.0.1:7300"); return err }); err != nil {
				return err
			}
			server, err = ln.Accept()
			return err
		}, conn, true, false},
		{"a UDP socket bound", func() (err error) {
			return Do(n, func() error { udp, err = net.ListenPacket("udp4", "127.0.0.1:7301"); return err })
		}, bound, true, true},
		{"the connection closed", func() error { server.Close(); return client.Close() }, conn, false, false},
		{"the UDP socket closed", func() error { return udp.Close() }, bound, false, true},
		{"the listener closed", func() error { return ln.Close() }, listener, false, true},
	}
	for _, st := range steps {
		settle(t, src, n)
		before := quietCount(t, src, n)
		sampleOf(t, src) // skipped: nothing changed
		if quietCount(t, src, n) == before {
			t.Fatalf("%s: the idle namespace was dumped again, not skipped", st.name)
		}
		if err := st.change(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		before = quietCount(t, src, n)
		src.mu.Lock()
		refreshes := src.members[n.Inode].refreshed
		src.mu.Unlock()
		got := in(sampleOf(t, src), st.match)
		if got != st.shows {
			t.Errorf("%s: in the next sample = %v, want %v", st.name, got, st.shows)
		}
		if quietCount(t, src, n) != before {
			t.Errorf("%s: the namespace was skipped as quiet after a change", st.name)
		}
		src.mu.Lock()
		refreshed := src.members[n.Inode].refreshed > refreshes
		src.mu.Unlock()
		if refreshed != st.refreshed {
			t.Errorf("%s: read by a refresh = %v, want %v (else a full dump)", st.name, refreshed, st.refreshed)
		}
	}
}

// A busy namespace does not wake an idle one: the machine-wide fields of
// sockstat (sockets allocated, orphans, memory) move with every
// namespace's sockets, and are left out of each namespace's signature.
// Every connection made in the busy one shows at once meanwhile.
func TestBusyNamespaceLeavesIdleOneQuiet(t *testing.T) {
	nstest.RequireRoot(t)
	busy := inNamespace(t, nstest.Netns(t, "qbusy", 0, 0))
	idle := inNamespace(t, nstest.Netns(t, "qidle", 0, 0))
	src := sourceOver(t, busy, idle)
	freeze(src)
	var ln net.Listener
	if err := Do(busy, func() (err error) { ln, err = net.Listen("tcp4", "127.0.0.1:7400"); return err }); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	settle(t, src, idle)
	const rounds = 20
	before := quietCount(t, src, idle)
	for i := range rounds {
		var c net.Conn
		if err := Do(busy, func() (err error) { c, err = net.Dial("tcp4", "127.0.0.1:7400"); return err }); err != nil {
			t.Fatal(err)
		}
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		port := uint16(c.LocalAddr().(*net.TCPAddr).Port)
		seen := slices.ContainsFunc(sampleOf(t, src), func(x sampler.Socket) bool {
			return x.Netns == busy.Inode && x.Local.Port() == port && x.State == sampler.StateEstablished
		})
		if !seen {
			t.Fatalf("round %d: the busy namespace's new connection from %d is not seen", i, port)
		}
		// Held to the end: the machine's count of sockets allocated grows
		// every round.
		defer s.Close()
		defer c.Close()
	}
	if q := quietCount(t, src, idle) - before; q != rounds {
		t.Errorf("the idle namespace was skipped in %d of %d rounds beside a busy one, want all", q, rounds)
	}
}

// A release heard by a namespace's watcher wakes it: it is read again at
// the next Sample whatever its counters say (a UDP socket's: refreshed).
func TestReleaseHeardWakesQuietNamespace(t *testing.T) {
	nstest.RequireRoot(t)
	n := inNamespace(t, nstest.Netns(t, "qheard", 0, 0))
	src := sourceOver(t, n)
	freeze(src)
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan sampler.Release, 64)
	ended := make(chan error, 1)
	go func() { ended <- src.WatchReleases(ctx, out) }()
	defer func() {
		cancel()
		if err := <-ended; err != nil {
			t.Errorf("WatchReleases: %v", err)
		}
	}()
	for i := 0; ; i++ {
		src.mu.Lock()
		w := src.members[n.Inode].watch
		src.mu.Unlock()
		if w != nil {
			break
		}
		if i == 200 {
			t.Fatal("no release watcher in the namespace")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // let it subscribe
	var udp net.PacketConn
	if err := Do(n, func() (err error) { udp, err = net.ListenPacket("udp4", "127.0.0.1:7500"); return err }); err != nil {
		t.Fatal(err)
	}
	settle(t, src, n)
	udp.Close()
	deadline := time.After(10 * time.Second)
	for heard := false; !heard; { // porttop's own namespace's releases come too
		select {
		case r := <-out:
			heard = r.Socket.Netns == n.Inode && r.Socket.Local.Port() == 7500
		case <-deadline:
			t.Fatal("no release of the UDP socket heard")
		}
	}
	// The release was forwarded, so the member knows it heard one.
	src.mu.Lock()
	m := src.members[n.Inode]
	heard := m.heardFresh.Load()
	src.mu.Unlock()
	if !heard {
		t.Fatal("a release was heard, yet the namespace is not marked")
	}
	before := quietCount(t, src, n)
	if slices.ContainsFunc(sampleOf(t, src), func(x sampler.Socket) bool { return x.Netns == n.Inode && x.Local.Port() == 7500 }) {
		t.Error("the closed UDP socket is still in the sample")
	}
	if quietCount(t, src, n) != before {
		t.Error("the namespace was skipped although a release was heard")
	}
	src.mu.Lock()
	heard = m.heardFresh.Load()
	src.mu.Unlock()
	if heard {
		t.Error("the mark outlived the dump that followed it")
	}
}

// A quiet namespace past poll.MaxQuietGap is refreshed, not dumped in
// full: its UDP sockets and listeners are read afresh (a bound UDP socket
// connecting moves no counter, so only this shows it) and its other TCP
// sockets carried over; past its full-dump gap it is dumped in full.
func TestRefreshReadsWhatCountersMiss(t *testing.T) {
	nstest.RequireRoot(t)
	n := inNamespace(t, nstest.Netns(t, "qrefresh", 0, 0))
	src := sourceOver(t, n)
	advance := freeze(src)
	ln, client, server := pairIn(t, n, "127.0.0.1:7600")
	defer ln.Close()
	defer client.Close()
	defer server.Close()
	var fd int
	if err := Do(n, func() (err error) {
		if fd, err = unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
			return err
		}
		return unix.Bind(fd, &unix.SockaddrInet4{Port: 7601, Addr: [4]byte{127, 0, 0, 1}})
	}); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	udpTo := func(s []sampler.Socket, remote uint16) bool {
		return slices.ContainsFunc(s, func(x sampler.Socket) bool {
			return x.Netns == n.Inode && x.Proto == sampler.UDP && x.Local.Port() == 7601 && x.Remote.Port() == remote
		})
	}
	established := func(s []sampler.Socket) bool {
		return slices.ContainsFunc(s, func(x sampler.Socket) bool {
			return x.Netns == n.Inode && x.State == sampler.StateEstablished && x.Remote.Port() == 7600
		})
	}
	settle(t, src, n)
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: 7602, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	src.mu.Lock()
	m := src.members[n.Inode]
	unseen := m.isQuiet(src.now())
	refreshed, full := m.refreshed, m.full
	src.mu.Unlock()
	if !unseen {
		t.Fatal("the counters moved when a bound UDP socket connected: nothing here needs a refresh")
	}
	advance(poll.MaxQuietGap)
	socks := sampleOf(t, src)
	if !udpTo(socks, 7602) {
		t.Error("the UDP socket's connection is not seen after MaxQuietGap")
	}
	if !established(socks) {
		t.Error("the namespace's established connection was not carried over")
	}
	src.mu.Lock()
	if m.refreshed != refreshed+1 || !m.full.Equal(full) {
		t.Errorf("refreshes %d -> %d, full dump %v -> %v: want one refresh, no full dump", refreshed, m.refreshed, full, m.full)
	}
	src.mu.Unlock()
	advance(fullEvery + time.Second) // past its full-dump gap
	socks = sampleOf(t, src)
	src.mu.Lock()
	if m.full.Equal(full) {
		t.Error("no full dump once the full-dump gap passed")
	}
	src.mu.Unlock()
	if !udpTo(socks, 7602) || !established(socks) {
		t.Error("the full dump lost sockets")
	}
}

// A namespace's last read is kept uncopied between rounds (its readers'
// samples as they handed them out), but every snapshot is the consumer's
// own: writing over one and handing it back (sampler.SocketRecycler)
// changes nothing a skipped or refreshed namespace shows next.
func TestSnapshotWrittenOverLeavesNamespaceIntact(t *testing.T) {
	nstest.RequireRoot(t)
	n := inNamespace(t, nstest.Netns(t, "qscribble", 0, 0))
	src := sourceOver(t, n)
	advance := freeze(src)
	ln, client, server := pairIn(t, n, "127.0.0.1:7610")
	defer ln.Close()
	defer client.Close()
	defer server.Close()
	var fd int
	if err := Do(n, func() (err error) {
		if fd, err = unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
			return err
		}
		return unix.Bind(fd, &unix.SockaddrInet4{Port: 7611, Addr: [4]byte{127, 0, 0, 1}})
	}); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	settle(t, src, n)
	type row struct {
		proto         sampler.Proto
		local, remote string
		state         sampler.State
	}
	rowsIn := func(socks []sampler.Socket) []row {
		var out []row
		for _, s := range socks {
			if s.Netns == n.Inode {
				out = append(out, row{s.Proto, s.Local.String(), s.Remote.String(), s.State})
			}
		}
		slices.SortFunc(out, func(a, b row) int {
			return cmp.Or(cmp.Compare(a.proto, b.proto), cmp.Compare(a.local, b.local), cmp.Compare(a.remote, b.remote), cmp.Compare(a.state, b.state))
		})
		return out
	}
	// round samples, keeps its rows, then writes over the snapshot and
	// hands it back.
	round := func() []row {
		snap, err := src.Sample(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		rows := rowsIn(snap.Sockets)
		for i := range snap.Sockets {
			snap.Sockets[i] = sampler.Socket{State: sampler.StateTimeWait}
			snap.Sockets[i].Proto, snap.Sockets[i].Cookie = sampler.TCP, uint64(i+1)
		}
		src.Recycle(snap.Sockets)
		return rows
	}
	advance(fullEvery + time.Second) // a full dump
	src.mu.Lock()
	full := src.members[n.Inode].full
	src.mu.Unlock()
	want := round()
	src.mu.Lock()
	if src.members[n.Inode].full.Equal(full) {
		t.Error("the namespace was not dumped in full: this test needs one dump")
	}
	src.mu.Unlock()
	if len(want) < 4 { // listener, both ends, the UDP socket
		t.Fatalf("the namespace shows %d sockets, want at least 4: %v", len(want), want)
	}
	quiet := quietCount(t, src, n)
	if got := round(); !slices.Equal(got, want) {
		t.Errorf("skipped after its snapshot was written over: %v, want %v", got, want)
	}
	if quietCount(t, src, n) == quiet {
		t.Error("the namespace was not skipped: this test needs it quiet")
	}
	src.mu.Lock()
	refreshed := src.members[n.Inode].refreshed
	src.mu.Unlock()
	advance(poll.MaxQuietGap) // a refresh: TCP carried, UDP and listener read
	if got := round(); !slices.Equal(got, want) {
		t.Errorf("refreshed after its snapshot was written over: %v, want %v", got, want)
	}
	src.mu.Lock()
	if src.members[n.Inode].refreshed != refreshed+1 {
		t.Error("the namespace was not refreshed: this test needs one refresh")
	}
	src.mu.Unlock()
	if got := round(); !slices.Equal(got, want) {
		t.Errorf("skipped after a refresh: %v, want %v", got, want)
	}
}
