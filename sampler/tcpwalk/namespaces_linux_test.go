//go:build linux

package tcpwalk_test

import (
	"cmp"
	"fmt"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/netns"
	"github.com/porttop/porttop/sampler/nstest"
	"github.com/porttop/porttop/sampler/tcpwalk"
)

// holdSockets makes, inside n, for IPv4 and IPv6: a listener, an
// established connection (two sockets), a connection closed from the
// client's end first (one TIME_WAIT socket) and one closed by its client
// alone (a FIN_WAIT2 timewait socket, and CLOSE_WAIT), held until Cleanup.
func holdSockets(t *testing.T, n netns.NS) {
	t.Helper()
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		var ln net.Listener
		var client, early, half net.Conn
		err := netns.Do(n, func() (err error) {
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
		t.Cleanup(func() { ln.Close(); client.Close() })
		accept := func() net.Conn {
			s, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		server := accept()
		t.Cleanup(func() { server.Close() })
		late := accept()
		early.Close() // the client's end closes first: TIME_WAIT once the server's does
		late.Close()
		open := accept()
		t.Cleanup(func() { open.Close() })
		half.Close() // FIN_WAIT2 while the server's end stays open
	}
}

func namespace(t *testing.T, name string) netns.NS {
	t.Helper()
	list, err := netns.Discover()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range list {
		if n.Name == name {
			return n
		}
	}
	t.Fatalf("namespace %s not discovered", name)
	return netns.NS{}
}

// netlinkTCP is namespace n's TCP sockets as its sock_diag dump lists them,
// but for listeners (not in the established hash).
func netlinkTCP(t *testing.T, n netns.NS) []sampler.Socket {
	t.Helper()
	src, err := netns.OpenSockDiag(n, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	src.WithoutOwners()
	src.SetPartial(false)
	snap, err := src.Sample(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var out []sampler.Socket
	for _, s := range snap.Sockets {
		if s.Proto == sampler.TCP && s.State != sampler.StateListen {
			out = append(out, s)
		}
	}
	return out
}

func byAddrs(a, b sampler.Socket) int {
	if c := a.Local.Compare(b.Local); c != 0 {
		return c
	}
	return cmp.Compare(a.Remote.String(), b.Remote.String())
}

// One walk passes the sockets of the namespaces asked for, and no other's,
// tagged with their namespace, each as its namespace's netlink dump lists it (listeners aside: they are
// not in the established hash): ESTABLISHED and TIME_WAIT, IPv4 and IPv6,
// FIN_WAIT2 (a timewait socket too) and CLOSE_WAIT, field by field,
// TIME_WAIT's timer within a few ticks.
func TestWalkEqualsEachNamespacesDump(t *testing.T) {
	nstest.RequireRoot(t)
	w, err := tcpwalk.Open()
	if err != nil {
		t.Skip("the TCP walk cannot run here: ", err)
	}
	defer w.Close()
	var spaces []netns.NS
	for _, sfx := range []string{"walk-a", "walk-b"} {
		n := namespace(t, nstest.Netns(t, sfx, 0, 0))
		shared, err := netns.SharesEhash(n)
		if err != nil {
			t.Fatal(err)
		}
		if !shared {
			t.Skip("new namespaces get a TCP hash of their own here (net.ipv4.tcp_child_ehash_entries): a walk does not reach them")
		}
		holdSockets(t, n)
		spaces = append(spaces, n)
	}
	time.Sleep(100 * time.Millisecond) // the FIN exchanges on loopback
	want := map[uint64][]sampler.Socket{}
	for _, n := range spaces {
		// Dumped first: the kernel makes a cookie for every socket it
		// lists, which the walk then reads.
		want[n.Inode] = netlinkTCP(t, n)
		states := map[sampler.State]int{}
		for _, s := range want[n.Inode] {
			states[s.State]++
		}
		if states[sampler.StateEstablished] != 4 || states[sampler.StateTimeWait] != 2 ||
			states[sampler.StateFinWait2] != 2 || states[sampler.StateCloseWait] != 2 {
			t.Fatalf("%s: netlink lists %v, want 4 ESTABLISHED, 2 TIME_WAIT, 2 FIN_WAIT2 and 2 CLOSE_WAIT", n.Name, states)
		}
	}
	got := map[uint64][]sampler.Socket{}
	err = w.Walk([]uint64{spaces[0].Inode, spaces[1].Inode}, func(r *tcpwalk.Row) {
		if _, ok := want[r.Netns]; !ok {
			t.Errorf("a socket of namespace %d, not asked for: %+v", r.Netns, r.Socket)
			return
		}
		if r.IPv6 != r.Socket.Local.Addr().Is6() {
			t.Errorf("%+v: IPv6 %v for these addresses", r.Socket, r.IPv6)
		}
		got[r.Netns] = append(got[r.Netns], r.Socket)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range spaces {
		g, w := got[n.Inode], want[n.Inode]
		slices.SortFunc(g, byAddrs)
		slices.SortFunc(w, byAddrs)
		if len(g) != len(w) {
			t.Fatalf("%s: the walk passed %d sockets, netlink lists %d:\n%v\n%v", n.Name, len(g), len(w), g, w)
		}
		for i := range g {
			if d := diff(g[i], w[i]); d != "" {
				t.Errorf("%s: %v -> %v: walk and netlink differ: %s", n.Name, w[i].Local, w[i].Remote, d)
			}
		}
	}
}

// diff lists the fields a walk's row and a dump's differ in.
func diff(g, w sampler.Socket) string {
	out := ""
	check := func(name string, a, b any) {
		if a != b {
			out += fmt.Sprintf(" %s %v (netlink %v)", name, a, b)
		}
	}
	check("cookie", g.Cookie, w.Cookie)
	check("proto", g.Proto, w.Proto)
	check("local", g.Local, w.Local)
	check("remote", g.Remote, w.Remote)
	check("state", g.State, w.State)
	check("uid", g.UID, w.UID)
	check("inode", g.Inode, w.Inode)
	check("cgroup", g.CgroupID, w.CgroupID)
	check("v6only", g.V6Only, w.V6Only)
	check("owner", g.Owner, w.Owner)
	check("place", g.Place, w.Place)
	check("timer set", !g.TimeWaitEnds.IsZero(), !w.TimeWaitEnds.IsZero())
	if d := g.TimeWaitEnds.Time().Sub(w.TimeWaitEnds.Time()).Abs(); d > 150*time.Millisecond {
		out += fmt.Sprintf(" TIME_WAIT ends %v apart", d)
	}
	return out
}
