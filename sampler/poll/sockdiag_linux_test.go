//go:build linux

package poll_test

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// TestPollerCatchesShortLivedClients opens and resets loopback clients far
// faster than the poller samples (every 2 s): with the netlink source's
// release reports, each must still be reported opened and closed.
func TestPollerCatchesShortLivedClients(t *testing.T) {
	_, p, ctx, first, addr := startLoopbackPoller(t, 2*time.Second)
	// Let the watcher subscribe (or fail to) before the clients come and go.
	time.Sleep(50 * time.Millisecond)

	const clients = 20
	pending := map[uint16]int{} // client port -> events still expected (open, close)
	for range clients {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		pending[uint16(c.LocalAddr().(*net.TCPAddr).Port)] = 2
		_ = c.(*net.TCPConn).SetLinger(0) // reset: no TIME_WAIT left behind
		c.Close()
	}
	notes := first.Notes
	for len(pending) > 0 {
		b, err := p.Next(ctx)
		if err != nil {
			if slices.ContainsFunc(notes, func(n string) bool { return strings.HasPrefix(n, "release events unavailable") }) {
				t.Skipf("no release reports here (%q): short-lived sockets cannot be seen", notes)
			}
			t.Fatalf("%d clients not reported opened and closed: %v", len(pending), err)
		}
		notes = b.Notes
		for _, e := range b.Events {
			// By local port alone: the kernel reports a reset socket's
			// addresses already cleared (0.0.0.0:port, no remote port).
			port := e.Socket.Local.Port()
			if _, ok := pending[port]; !ok || e.Socket.Proto != sampler.TCP {
				continue
			}
			if !e.SeenAtEnd || e.Existing {
				t.Errorf("client %d: %v event with SeenAtEnd %v Existing %v, want a seen-at-end one", port, e.Kind, e.SeenAtEnd, e.Existing)
			}
			if pending[port]--; pending[port] == 0 {
				delete(pending, port)
			}
		}
		if slices.ContainsFunc(notes, func(n string) bool { return strings.HasPrefix(n, "release events unavailable") }) {
			t.Skipf("no release reports here (%q): short-lived sockets cannot be seen", notes)
		}
	}
}
