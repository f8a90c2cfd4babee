//go:build linux

package sockdiag

import (
	"context"
	"net"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
)

// listenV6 listens on [::1]:0 with IPV6_V6ONLY set as asked (the kernel
// sets it anyway for a specific address).
func listenV6(t *testing.T, v6only bool) net.Listener {
	t.Helper()
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			v := 0
			if v6only {
				v = 1
			}
			serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, v)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	ln, err := lc.Listen(context.Background(), "tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// The kernel says which IPv6 listeners take IPv6 only; the source passes it
// on, so that an IPv4 socket beside such a listener is not taken for one it
// accepted. (Bound to ::1 a listener is always IPv6-only; the dual-stack
// case, which needs the wildcard address, is TestParseV6Only's.)
func TestSourceReportsV6Only(t *testing.T) {
	only := listenV6(t, true)
	four, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer four.Close()
	s := newSource(t)
	snap, err := s.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint16]bool{addrPort(only.Addr()).Port(): true, addrPort(four.Addr()).Port(): false}
	for _, sk := range snap.Sockets {
		if v, ok := want[sk.Local.Port()]; ok && sk.Proto == sampler.TCP && sk.State == sampler.StateListen {
			if sk.V6Only != v {
				t.Errorf("listener %v: V6Only %v, want %v", sk.Local, sk.V6Only, v)
			}
			delete(want, sk.Local.Port())
		}
	}
	if len(want) > 0 {
		t.Errorf("listeners not sampled: %v", want)
	}
}
