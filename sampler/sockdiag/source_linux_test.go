//go:build linux

package sockdiag

import (
	"context"
	"net"
	"net/netip"
	"os"
	"testing"

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
				if got.Cookie != cookie || uint64(got.Inode) != inode {
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
	// Other programs may hold sockets on these port numbers too: check
	// that every socket passes the filter and that the test's own are in.
	for _, s := range snap.Sockets {
		if s.Local.Port() != portA && s.Remote.Port() != portA {
			t.Errorf("filter on port %d let through %v -> %v", portA, s.Local, s.Remote)
		}
	}
	for _, want := range [][2]net.Addr{
		{a.client.LocalAddr(), a.client.RemoteAddr()},
		{a.server.LocalAddr(), a.server.RemoteAddr()},
	} {
		if _, ok := findSocket(snap.Sockets, sampler.TCP, addrPort(want[0]), addrPort(want[1])); !ok {
			t.Errorf("port %d filter dropped %v -> %v", portA, want[0], want[1])
		}
	}
	if !hasListener(snap.Sockets, addrPort(a.ln.Addr())) {
		t.Errorf("port %d filter dropped its listener", portA)
	}

	src.SetQuery(sampler.Query{States: sampler.MaskOf(sampler.StateListen), Ports: []sampler.PortRange{{Lo: portB, Hi: portB}, {Lo: portA, Hi: portA}}})
	snap, err = src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !hasListener(snap.Sockets, addrPort(a.ln.Addr())) || !hasListener(snap.Sockets, addrPort(b.ln.Addr())) {
		t.Errorf("listeners on %d,%d missing from %d sockets", portA, portB, len(snap.Sockets))
	}
	for _, s := range snap.Sockets {
		if s.State != sampler.StateListen || s.Proto != sampler.TCP {
			t.Errorf("LISTEN filter let through %v %v", s.Proto, s.State)
		}
		if p := s.Local.Port(); p != portA && p != portB {
			t.Errorf("port filter let through listener %v", s.Local)
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

func hasListener(socks []sampler.Socket, local netip.AddrPort) bool {
	for _, s := range socks {
		if s.Proto == sampler.TCP && s.Local == local && s.State == sampler.StateListen {
			return true
		}
	}
	return false
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

// After a Sample, KernelCounters answers with the counters as the sample
// began (no read of its own), so every open they count is in that sample or
// was released before it; the next Sample moves them on.
func TestKernelCountersAsOfSampleStart(t *testing.T) {
	src := newSource(t)
	if _, err := src.Sample(context.Background()); err != nil {
		t.Fatal(err)
	}
	atSample, err := src.KernelCounters()
	if err != nil {
		t.Fatal(err)
	}
	openPair(t, "tcp4", "127.0.0.1:0")
	if again, _ := src.KernelCounters(); again != atSample {
		t.Errorf("counters moved without a sample: %+v -> %+v; want those of the sample's start", atSample, again)
	}
	if _, err := src.Sample(context.Background()); err != nil {
		t.Fatal(err)
	}
	next, _ := src.KernelCounters()
	if next.ActiveOpens <= atSample.ActiveOpens || next.PassiveOpens <= atSample.PassiveOpens {
		t.Errorf("the next sample's counters %+v did not count the connection made after %+v", next, atSample)
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
	// Keyed by both addresses: other programs' sockets may share a port.
	seen := map[[2]netip.AddrPort]int{}
	for _, s := range snap.Sockets {
		if s.Proto == sampler.TCP {
			seen[[2]netip.AddrPort{s.Local, s.Remote}]++
		}
	}
	for _, c := range h.conns {
		client := [2]netip.AddrPort{addrPort(c.LocalAddr()), addrPort(c.RemoteAddr())}
		server := [2]netip.AddrPort{client[1], client[0]}
		if seen[client] != 1 || seen[server] != 1 {
			t.Fatalf("connection %v seen %d times, its far end %d times, in %d sockets", client, seen[client], seen[server], len(snap.Sockets))
		}
	}
}

// The audit's start is read as the first dump ends: no earlier than the
// first sample's start reading, and never again.
func TestKernelCountersAtFirstDumpEnd(t *testing.T) {
	src := newSource(t)
	if _, err := src.KernelCountersAtFirstDumpEnd(); err == nil {
		t.Error("an audit start before any sample")
	}
	if _, err := src.Sample(context.Background()); err != nil {
		t.Fatal(err)
	}
	atStart, err := src.KernelCounters()
	if err != nil {
		t.Fatal(err)
	}
	atEnd, err := src.KernelCountersAtFirstDumpEnd()
	if err != nil {
		t.Fatal(err)
	}
	if atEnd.ActiveOpens < atStart.ActiveOpens || atEnd.PassiveOpens < atStart.PassiveOpens {
		t.Errorf("counters as the dump ended %+v are behind those as it began %+v", atEnd, atStart)
	}
	openPair(t, "tcp4", "127.0.0.1:0")
	if _, err := src.Sample(context.Background()); err != nil {
		t.Fatal(err)
	}
	if again, _ := src.KernelCountersAtFirstDumpEnd(); again != atEnd {
		t.Errorf("the audit's start moved with a later sample: %+v -> %+v", atEnd, again)
	}
	if next, _ := src.KernelCounters(); next.ActiveOpens <= atEnd.ActiveOpens {
		t.Errorf("the next sample's counters %+v did not count the connection made after %+v", next, atEnd)
	}
}

var _ sampler.AuditStartReader = (*Source)(nil)
