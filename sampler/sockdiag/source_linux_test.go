//go:build linux

package sockdiag

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
)

func newSource(t testing.TB) *Source {
	t.Helper()
	s, err := New()
	if err != nil {
		t.Skipf("netlink sock_diag unavailable here: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSampleFindsBothEndsWithIdentity(t *testing.T) {
	for _, tc := range []struct{ network, addr string }{
		{"tcp4", "127.0.0.1:0"},
		{"tcp6", "[::1]:0"},
	} {
		t.Run(tc.network, func(t *testing.T) {
			p := openPair(t, tc.network, tc.addr)
			src := newSource(t)
			snap, err := src.Sample(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			uid := int32(os.Geteuid())
			ends := []struct {
				name  string
				conn  *net.TCPConn
				local net.Addr
				peer  net.Addr
			}{
				{"client", p.client, p.client.LocalAddr(), p.client.RemoteAddr()},
				{"server", p.server, p.server.LocalAddr(), p.server.RemoteAddr()},
			}
			for _, e := range ends {
				got, ok := findSocket(snap.Sockets, sampler.TCP, addrPort(e.local), addrPort(e.peer))
				if !ok {
					t.Fatalf("%s end %v->%v not in a %d-socket sample", e.name, e.local, e.peer, len(snap.Sockets))
				}
				cookie, inode := kernelIdentity(t, e.conn)
				if got.Cookie != cookie || got.Inode != inode {
					t.Errorf("%s: cookie/inode %d/%d, kernel says %d/%d", e.name, got.Cookie, got.Inode, cookie, inode)
				}
				if got.State != sampler.StateEstablished || got.UID != uid {
					t.Errorf("%s: state %v uid %d, want ESTABLISHED uid %d", e.name, got.State, got.UID, uid)
				}
				// Our own process is always readable, root or not.
				if got.PID != int32(os.Getpid()) || got.Process == "" {
					t.Errorf("%s: pid %d process %q, want %d and a name", e.name, got.PID, got.Process, os.Getpid())
				}
			}
			lnAddr := addrPort(p.ln.Addr())
			var found bool
			for _, s := range snap.Sockets {
				if s.Proto == sampler.TCP && s.Local == lnAddr && s.State == sampler.StateListen {
					found = true
				}
			}
			if !found {
				t.Errorf("listener %v not in sample as LISTEN", lnAddr)
			}
		})
	}
}

func TestSampleUDPHasNoState(t *testing.T) {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	src := newSource(t)
	snap, err := src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	local := addrPort(c.LocalAddr())
	got, ok := findSocket(snap.Sockets, sampler.UDP, local, netip.AddrPortFrom(netip.IPv4Unspecified(), 0))
	if !ok {
		t.Fatalf("udp %v not found", local)
	}
	if got.State != sampler.StateNone || got.Cookie == 0 {
		t.Errorf("udp socket: state %v cookie %d, want no state and a cookie", got.State, got.Cookie)
	}
}

func TestSetQueryNarrowsInKernel(t *testing.T) {
	a := openPair(t, "tcp4", "127.0.0.1:0")
	b := openPair(t, "tcp4", "127.0.0.1:0")
	src := newSource(t)
	portA := addrPort(a.ln.Addr()).Port()
	portB := addrPort(b.ln.Addr()).Port()

	src.SetQuery(sampler.Query{Ports: []sampler.PortRange{{Lo: portA, Hi: portA}}})
	snap, err := src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if src.refused.bytecode {
		t.Fatal("kernel refused the port filter bytecode")
	}
	var sawA int
	for _, s := range snap.Sockets {
		if s.Local.Port() != portA && s.Remote.Port() != portA {
			t.Errorf("filter on port %d let through %v -> %v", portA, s.Local, s.Remote)
		}
		if s.Local.Port() == portB || s.Remote.Port() == portB {
			t.Errorf("port %d socket passed a port %d filter", portB, portA)
		}
		sawA++
	}
	// Listener, accepted end (local port A) and client end (remote port A).
	if sawA != 3 {
		t.Errorf("port %d filter: %d sockets, want 3", portA, sawA)
	}

	src.SetQuery(sampler.Query{States: sampler.MaskOf(sampler.StateListen), Ports: []sampler.PortRange{{Lo: portB, Hi: portB}, {Lo: portA, Hi: portA}}})
	snap, err = src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Sockets) != 2 {
		t.Errorf("listeners on %d,%d: got %d sockets", portA, portB, len(snap.Sockets))
	}
	for _, s := range snap.Sockets {
		if s.State != sampler.StateListen || s.Proto != sampler.TCP {
			t.Errorf("LISTEN filter let through %v %v", s.Proto, s.State)
		}
	}

	src.SetQuery(sampler.Query{})
	snap, err = src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := findSocket(snap.Sockets, sampler.TCP, addrPort(b.client.LocalAddr()), addrPort(b.client.RemoteAddr())); !ok {
		t.Error("zero query after a filter still filters")
	}
}

func TestKernelCountersCountAnOpen(t *testing.T) {
	src := newSource(t)
	before, err := src.KernelCounters()
	if err != nil {
		t.Fatal(err)
	}
	openPair(t, "tcp4", "127.0.0.1:0")
	after, err := src.KernelCounters()
	if err != nil {
		t.Fatal(err)
	}
	if after.ActiveOpens <= before.ActiveOpens || after.PassiveOpens <= before.PassiveOpens {
		t.Errorf("counters did not move over one connection: %+v -> %+v", before, after)
	}
}

func TestLearnRefusalReplans(t *testing.T) {
	s := &Source{query: sampler.Query{Ports: []sampler.PortRange{{Lo: 80, Hi: 80}}}}
	s.plan = planFor(s.query, s.refused)
	wrap := func(e error) error { return fmt.Errorf("sock_diag dump: %w", e) }
	if !s.learnRefusal(wrap(unix.EOPNOTSUPP)) || !s.refused.compat || s.plan[0].family != afInet {
		t.Fatalf("EOPNOTSUPP for the two-family dump: refused %+v plan[0] family %d", s.refused, s.plan[0].family)
	}
	if !s.learnRefusal(wrap(unix.EINVAL)) || !s.refused.bytecode || s.plan[0].bytecode != nil {
		t.Fatalf("EINVAL with bytecode: refused %+v", s.refused)
	}
	if s.learnRefusal(wrap(unix.EINVAL)) || s.learnRefusal(wrap(unix.EPERM)) {
		t.Error("nothing left to drop, yet a retry was offered")
	}
	if notes := s.Notes(); len(notes) != 1 || !strings.Contains(notes[0], "port filter") {
		t.Errorf("notes %q", notes)
	}
}

// TestSampleSpansManyDatagrams: a dump larger than one 32 KiB datagram
// arrives in parts; every socket must come through once.
func TestSampleSpansManyDatagrams(t *testing.T) {
	const conns = 300 // 601 sockets of ~100 bytes: two datagrams at least
	h, err := holdConns(conns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	src := newSource(t)
	snap, err := src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[netip.AddrPort]int{}
	for _, s := range snap.Sockets {
		if s.Proto == sampler.TCP {
			seen[s.Local]++
		}
	}
	for _, c := range h.conns {
		local := addrPort(c.LocalAddr())
		if seen[local] != 1 {
			t.Fatalf("client end %v seen %d times in %d sockets", local, seen[local], len(snap.Sockets))
		}
		if seen[addrPort(c.RemoteAddr())] != conns+1 { // listener plus accepted ends share the port
			t.Fatalf("server port %v seen %d times", c.RemoteAddr(), seen[addrPort(c.RemoteAddr())])
		}
	}
}
