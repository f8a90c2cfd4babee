//go:build linux

package sources

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"testing"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/psutil"
	"github.com/porttop/porttop/sampler/sockdiag"
)

// TestNetlinkAgreesWithGopsutil opens loopback sockets and checks that both
// sources list the same set of them (proto, addresses, state).
func TestNetlinkAgreesWithGopsutil(t *testing.T) {
	nl, err := sockdiag.New()
	if err != nil {
		t.Skipf("netlink unavailable here: %v", err)
	}
	defer nl.Close()
	// The test's own endpoints: its listeners (every TCP socket of the test
	// has one of them at one end) and its UDP sockets. Matching protocol and
	// whole address, not ports, keeps other programs' sockets out (a TCP
	// socket of another program may share a UDP socket's address and port).
	ends := map[end]bool{}
	for _, network := range []string{"tcp4", "tcp6"} {
		addr := "127.0.0.1:0"
		if network == "tcp6" {
			addr = "[::1]:0"
		}
		ln, err := net.Listen(network, addr)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ends[end{sampler.TCP, addrPort(ln.Addr())}] = true
		for i := 0; i < 3; i++ {
			c, err := net.Dial(network, ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			s, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
		}
	}
	for _, network := range []string{"udp4", "udp6"} {
		addr := "127.0.0.1:0"
		if network == "udp6" {
			addr = "[::1]:0"
		}
		u, err := net.ListenPacket(network, addr)
		if err != nil {
			t.Fatal(err)
		}
		defer u.Close()
		ends[end{sampler.UDP, addrPort(u.LocalAddr())}] = true
	}

	ctx := context.Background()
	a, err := nl.Sample(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := psutil.New().Sample(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, want := ours(a, ends), ours(b, ends)
	if len(want) != 2*(1+3+3)+2 { // per family: listener, 3 clients, 3 accepted; 2 UDP
		t.Fatalf("gopsutil saw %d of the test's sockets, want 16: %q", len(want), want)
	}
	if !slices.Equal(got, want) {
		t.Errorf("netlink and gopsutil disagree:\nnetlink  %q\ngopsutil %q", got, want)
	}
}

func addrPort(a net.Addr) netip.AddrPort {
	return sampler.Unmap(a.(interface{ AddrPort() netip.AddrPort }).AddrPort())
}

// end is one endpoint of the test's: a protocol and an address.
type end struct {
	proto sampler.Proto
	addr  netip.AddrPort
}

// ours lists, sorted, the sockets with one of the test's endpoints.
func ours(s sampler.Snapshot, ends map[end]bool) []string {
	var out []string
	for _, k := range s.Sockets {
		if ends[end{k.Proto, k.Local}] || ends[end{k.Proto, k.Remote}] {
			out = append(out, fmt.Sprintf("%v %v %v %v", k.Proto, k.Local, k.Remote, k.State))
		}
	}
	slices.Sort(out)
	return out
}
