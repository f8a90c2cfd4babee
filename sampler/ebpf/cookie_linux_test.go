//go:build linux

package ebpf

import (
	"context"
	"net"
	"net/netip"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// TestTransitionsCarryTheCookieSockDiagReports: a loopback connection's
// transitions, both ends, carry the cookie netlink's dump gives the socket.
func TestTransitionsCarryTheCookieSockDiagReports(t *testing.T) {
	requireRoot(t)
	p := openProbe(t)
	if !p.Cookies() {
		t.Fatalf("the cookie program did not load on this kernel: %v", p.Notes())
	}
	c := collect(t, p)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		a, err := ln.Accept()
		if err == nil {
			accepted <- a
		}
	}()
	cl, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	srv := <-accepted
	defer srv.Close()
	local := netip.MustParseAddrPort(cl.LocalAddr().String())
	remote := netip.MustParseAddrPort(cl.RemoteAddr().String())

	nl := openNetlink(t)
	snap, err := nl.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]netip.AddrPort]uint64{}
	for _, s := range snap.Sockets {
		if s.Proto == sampler.TCP && s.State == sampler.StateEstablished {
			want[[2]netip.AddrPort{s.Local, s.Remote}] = s.Cookie
		}
	}
	for _, k := range [][2]netip.AddrPort{{local, remote}, {remote, local}} {
		if want[k] == 0 {
			t.Fatalf("netlink shows no cookie for %v -> %v", k[0], k[1])
		}
		if !c.waitFor(func(trans []sampler.Transition, _ []sampler.PortFailure) bool {
			for _, tr := range trans {
				if tr.Local == k[0] && tr.Remote == k[1] && tr.To == sampler.StateEstablished {
					return true
				}
			}
			return false
		}) {
			t.Fatalf("no transition to ESTABLISHED for %v -> %v", k[0], k[1])
		}
		trans, _ := c.snapshot()
		for _, tr := range trans {
			if tr.Local == k[0] && tr.Remote == k[1] && tr.Cookie != want[k] {
				t.Errorf("%v -> %v %v->%v: cookie %d, netlink says %d", k[0], k[1], tr.From, tr.To, tr.Cookie, want[k])
			}
		}
	}
	// The connect transition, before the port is chosen, has the same
	// socket's cookie: the one the client's later transitions carry. It
	// is the last connect at the socket's kernel address before the
	// first transition that shows the client's addresses (the programs
	// see every namespace: an earlier socket freed at the same address,
	// another program's, may have connected before).
	trans, _ := c.snapshot()
	var sock uint64
	first := -1
	for i, tr := range trans {
		if tr.Local == local && tr.Remote == remote {
			sock = tr.Sock
			if first < 0 {
				first = i
			}
		}
	}
	var connect *sampler.Transition
	for i := 0; i < first; i++ {
		if tr := &trans[i]; tr.Sock == sock && tr.From == sampler.StateClose && tr.To == sampler.StateSynSent {
			connect = tr
		}
	}
	switch {
	case connect == nil:
		t.Error("no CLOSE -> SYN_SENT transition for the client's socket")
	case connect.Cookie != want[[2]netip.AddrPort{local, remote}]:
		t.Errorf("connect transition: cookie %d, want %d", connect.Cookie, want[[2]netip.AddrPort{local, remote}])
	}
}
