//go:build linux

package poll_test

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/poll"
	"github.com/porttop/porttop/sampler/sockdiag"
)

// TestPollerIgnoresNeverBoundSockets is the audit's repro with real
// sockets: one TCP socket made and closed without a port, and one bound to
// 127.0.0.1:0 and closed without connecting. The kernel reports both
// destroyed; the first must make no event (no port was handed out), the
// second its open and close.
func TestPollerIgnoresNeverBoundSockets(t *testing.T) {
	src, err := sockdiag.New()
	if err != nil {
		t.Skipf("netlink source unavailable here: %v", err)
	}
	defer src.Close()
	p := poll.New(poll.Config{Source: src, Interval: 2 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go p.Run(ctx)
	first, err := p.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // let the watcher subscribe (or fail to)

	unbound, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	syscall.Close(unbound)
	bound, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(bound, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(bound)
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(bound)
	syscall.Close(bound)
	if err != nil {
		t.Fatal(err)
	}
	port := uint16(sa.(*syscall.SockaddrInet4).Port)

	unavailable := func(notes []string) bool {
		return slices.ContainsFunc(notes, func(n string) bool { return strings.HasPrefix(n, "release events unavailable") })
	}
	notes := first.Notes
	seen := 0 // the bound socket's open and close
	for seen < 2 {
		if unavailable(notes) {
			t.Skipf("no release reports here (%q)", notes)
		}
		b, err := p.Next(ctx)
		if err != nil {
			t.Fatalf("the bound socket's port %d was not reported opened and closed: %v", port, err)
		}
		notes = b.Notes
		for _, e := range b.Events {
			if e.Socket.Local.Port() == 0 {
				t.Errorf("an event for a socket that never had a port: %v %v -> %v %v", e.Kind, e.Socket.Local, e.Socket.Remote, e.Socket.State)
			}
			if e.Socket.Proto == sampler.TCP && e.Socket.Local == netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), port) {
				seen++
			}
		}
	}
	// The never-bound socket's report came before the bound one's: had it
	// made an event, it would be in the batches read above. Read what else
	// is pending, too.
	done, stop := context.WithTimeout(ctx, 0)
	defer stop()
	if b, err := p.Next(done); err == nil {
		for _, e := range b.Events {
			if e.Socket.Local.Port() == 0 {
				t.Errorf("an event for a socket that never had a port: %v %v", e.Kind, e.Socket.Local)
			}
		}
	}
}

// TestPollerCountsResetConnections resets loopback clients (SO_LINGER 0)
// between samples: the kernel reports each released with its remote port
// cleared, yet each was a connect() the kernel counted, and its accepted
// child too. ReportedTCP must grow by at least both (other programs on the
// machine can only add to it).
func TestPollerCountsResetConnections(t *testing.T) {
	src, p, ctx, first, addr := startLoopbackPoller(t, 2*time.Second)
	time.Sleep(50 * time.Millisecond) // let the watcher subscribe (or fail to)

	const clients = 20
	pending := map[uint16]int{} // client port -> opens still to come (the client's, its accepted child's)
	for range clients {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		pending[uint16(c.LocalAddr().(*net.TCPAddr).Port)] = 2
		_ = c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}
	notes, last := first.Notes, first
	for len(pending) > 0 {
		if slices.ContainsFunc(notes, func(n string) bool { return strings.HasPrefix(n, "release events unavailable") }) {
			t.Skipf("no release reports here (%q)", notes)
		}
		b, err := p.Next(ctx)
		if err != nil {
			t.Fatalf("%d clients, or their accepted children, never reported opened: %v", len(pending), err)
		}
		notes, last = b.Notes, b
		for _, e := range b.Events {
			if e.Kind != sampler.Opened || e.Socket.Proto != sampler.TCP {
				continue
			}
			for _, port := range []uint16{e.Socket.Local.Port(), e.Socket.Remote.Port()} {
				if pending[port] > 0 {
					if pending[port]--; pending[port] == 0 {
						delete(pending, port)
					}
				}
			}
		}
	}
	if src.Lost() > 0 {
		t.Skip("the kernel dropped release reports (a busy machine): counts cannot be checked")
	}
	if got := last.ReportedTCP - first.ReportedTCP; got < 2*clients {
		t.Errorf("ReportedTCP grew by %d, want at least %d: %d connect()s and their accepted children", got, 2*clients, clients)
	}
}
