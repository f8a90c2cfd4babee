//go:build linux

package netns

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/nstest"
	"github.com/porttop/porttop/sampler/tcpwalk"
)

// holdIn makes, inside n, for IPv4 and IPv6: a listener, an established
// connection, a connection closed from the client's end first (a
// TIME_WAIT socket) and one closed by its client alone (FIN_WAIT2 and
// CLOSE_WAIT), held until Cleanup.
func holdIn(t *testing.T, n NS) {
	t.Helper()
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		var ln net.Listener
		var client, early, half net.Conn
		err := Do(n, func() (err error) {
			if ln, err = net.Listen("tcp", addr); err != nil {
				return err
			}
			if client, err = net.Dial("tcp", ln.Addr().String()); err != nil {
				return err
			}
			if early, err = net.Dial("tcp", ln.Addr().String()); err != nil {
				return err
			}
			half, err = net.Dial("tcp", ln.Addr().String())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		accept := func() net.Conn {
			s, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		server := accept()
		t.Cleanup(func() { ln.Close(); client.Close(); server.Close() })
		late := accept()
		early.Close()
		late.Close()
		open := accept()
		t.Cleanup(func() { open.Close() })
		half.Close()
	}
}

// in lists snap's sockets of namespace ino, by ID.
func in(snap sampler.Snapshot, ino uint64) map[sampler.ID]sampler.Socket {
	out := map[sampler.ID]sampler.Socket{}
	for _, s := range snap.Sockets {
		if s.Netns == ino {
			out[s.ID] = s
		}
	}
	return out
}

// The multi-namespace Source gives the same sockets when a round reads
// the namespaces' TCP sockets with one walk as when it dumps each: a
// round after new connections in each of two namespaces (both due a
// full dump) walks, and every socket of theirs (listeners, established,
// TIME_WAIT, FIN_WAIT2, CLOSE_WAIT, IPv4 and IPv6, the new ones with the
// cookies the kernel makes on lookup) equals the netlink-only Source's,
// field by field.
func TestWalkedRoundEqualsDumpedRound(t *testing.T) {
	ns := walkedNamespaces(t, "swalk-a", "swalk-b")
	walking, dumping := sourceOver(t, ns...), sourceOver(t, ns...)
	dumping.walk.off = true
	for _, src := range []*Source{walking, dumping} {
		if _, err := src.Sample(t.Context()); err != nil { // dumps: cookies made
			t.Fatal(err)
		}
	}
	for _, n := range ns {
		holdIn(t, n) // new sockets: every namespace is due a full dump
	}
	time.Sleep(100 * time.Millisecond) // the FIN exchanges on loopback
	// The walking Source first: nothing has asked for the new sockets'
	// cookies yet (unless another program did).
	got, err := walking.Sample(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want, err := dumping.Sample(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if walking.walk.note != "" {
		t.Fatalf("the walk was not used: %s", walking.walk.note)
	}
	for _, n := range ns {
		m := walking.members[n.Inode]
		if m == nil || m.walked != 1 {
			t.Fatalf("%s: not read by the walk (%+v)", n.Name, m)
		}
		t.Logf("%s: %d sockets looked up for their cookies", n.Name, len(m.pending))
		g, w := in(got, n.Inode), in(want, n.Inode)
		if len(w) != 24 {
			t.Fatalf("%s: netlink lists %d sockets, want 24 (4 listeners, 8 ESTABLISHED, 4 each TIME_WAIT, FIN_WAIT2, CLOSE_WAIT)", n.Name, len(w))
		}
		for id, ws := range w {
			gs, ok := g[id]
			if !ok {
				t.Errorf("%s: %v %v -> %v (%v) missing from the walked round", n.Name, id.Proto, id.Local, id.Remote, ws.State)
				continue
			}
			if d := sameSocket(gs, ws); d != "" {
				t.Errorf("%s: %v -> %v: %s", n.Name, id.Local, id.Remote, d)
			}
		}
		for id := range g {
			if _, ok := w[id]; !ok {
				t.Errorf("%s: the walked round has %+v, netlink not", n.Name, g[id])
			}
		}
	}
}

// sameSocket lists how a walked round's socket differs from a dumped
// one's ("" when alike; TIME_WAIT's end within a few ticks).
func sameSocket(g, w sampler.Socket) string {
	gt, wt := g.TimeWaitEnds, w.TimeWaitEnds
	g.TimeWaitEnds, w.TimeWaitEnds = 0, 0
	g.Owner.Start, w.Owner.Start = 0, 0
	out := ""
	if g != w {
		out = fmt.Sprintf("walked %+v, dumped %+v", g, w)
	}
	if gt.IsZero() != wt.IsZero() || gt.Time().Sub(wt.Time()).Abs() > 150*time.Millisecond {
		out += fmt.Sprintf(" TIME_WAIT ends %v, dumped %v", gt, wt)
	}
	return out
}

// A walk's rows for a namespace go into a slice sized by its last whole
// table, not by its last read: between the ebpf source's checks that is
// of UDP alone, and rows grown by appends from a few to 100k were 80 MB
// allocated for a 27 MB table.
func TestWalkSizedByTheLastWholeTable(t *testing.T) {
	ns := walkedNamespaces(t, "wsize-a", "wsize-b")
	src := sourceOver(t, ns...)
	sample := func() {
		t.Helper()
		if _, err := src.Sample(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	sample() // dumps: cookies made
	for _, n := range ns {
		holdIn(t, n)
	}
	time.Sleep(100 * time.Millisecond) // the FIN exchanges on loopback
	sample()                           // walked
	m := src.members[ns[0].Inode]
	if m.walked != 1 {
		t.Fatalf("%s: walked %d times, want 1 (%s)", ns[0].Name, m.walked, src.walk.note)
	}
	whole := m.count
	src.SetQuery(sampler.Query{Protos: []sampler.Proto{sampler.UDP}})
	sample()
	sample()
	if m.count >= whole {
		t.Fatalf("%s: %d rows read for UDP alone, %d whole", ns[0].Name, m.count, whole)
	}
	src.SetQuery(sampler.Query{})
	for i, n := range ns { // due a full read again: 3 sockets more
		ln, client, server := pairIn(t, n, fmt.Sprintf("127.0.0.1:%d", 7900+i))
		defer ln.Close()
		defer client.Close()
		defer server.Close()
	}
	sample()
	if m.walked != 2 {
		t.Fatalf("%s: walked %d times, want 2 (%s)", ns[0].Name, m.walked, src.walk.note)
	}
	if want := whole + whole/8 + 16; len(m.last) > want || cap(m.last) != want {
		t.Errorf("%s: a walk of %d rows after UDP reads of %d went into a slice for %d, want %d (its last whole table: %d rows)", ns[0].Name, len(m.last), m.count, cap(m.last), want, whole)
	}
}

// walkedNamespaces makes a namespace for each suffix, each holding
// connections (holdIn), and skips the test unless a walk of the shared
// TCP hash reaches them (root, Linux 5.17+ with BTF, no hash of their own).
func walkedNamespaces(t *testing.T, suffixes ...string) []NS {
	t.Helper()
	nstest.RequireRoot(t)
	if w, err := tcpwalk.Open(); err != nil {
		t.Skip("the TCP walk cannot run here: ", err)
	} else {
		w.Close()
	}
	var ns []NS
	for _, sfx := range suffixes {
		n := inNamespace(t, nstest.Netns(t, sfx, 0, 0))
		if ok, err := SharesEhash(n); err != nil || !ok {
			t.Skip("new namespaces get a TCP hash of their own here (net.ipv4.tcp_child_ehash_entries): a walk does not reach them")
		}
		holdIn(t, n)
		ns = append(ns, n)
	}
	return ns
}
