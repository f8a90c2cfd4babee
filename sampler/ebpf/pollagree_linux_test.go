//go:build linux

package ebpf

import (
	"context"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/poll"
)

// endEvents gathers, per socket, the event that ended its hold on the
// port as a poller reported it: Closed, or a change to TIME_WAIT or
// FIN_WAIT2.
type endEvents struct {
	mu   sync.Mutex
	ends map[[2]netip.AddrPort]sampler.Event
	// timeWait: the sockets reported in TIME_WAIT (at once, or after
	// FIN_WAIT2).
	timeWait map[[2]netip.AddrPort]bool
}

func runPoller(t *testing.T, ctx context.Context, cancel context.CancelFunc, src sampler.Source, ours func(sampler.Socket) bool) *endEvents {
	t.Helper()
	ev := &endEvents{ends: map[[2]netip.AddrPort]sampler.Event{}, timeWait: map[[2]netip.AddrPort]bool{}}
	p := poll.New(poll.Config{Source: src, Interval: time.Hour})
	ran := make(chan struct{})
	go func() { p.Run(ctx); close(ran) }()
	t.Cleanup(func() { cancel(); <-ran }) // before the source closes
	if _, err := p.Next(ctx); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			b, err := p.Next(ctx)
			if err != nil {
				return
			}
			ev.mu.Lock()
			for _, e := range b.Events {
				if !ours(e.Socket) {
					continue
				}
				k := [2]netip.AddrPort{e.Socket.Local, e.Socket.Remote}
				if e.Kind == sampler.StateChanged && e.Socket.State == sampler.StateTimeWait {
					ev.timeWait[k] = true
				}
				if e.Kind == sampler.Closed || e.Kind == sampler.StateChanged && livesOn(e.Socket.State) {
					if _, ok := ev.ends[k]; !ok {
						ev.ends[k] = e
					}
				}
			}
			ev.mu.Unlock()
		}
	}()
	return ev
}

func (ev *endEvents) get(k [2]netip.AddrPort) (sampler.Event, bool) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	e, ok := ev.ends[k]
	return e, ok
}

// TestPollersAgreeOnReleases: a poller over the ebpf source (TCP
// releases from the kernel's events) and one over netlink alone (destroy
// reports and TIME_WAIT lookups), with samples an hour apart, report the
// same end for each of 40 loopback connections closed by one side or the
// other: the first closer to TIME_WAIT (or FIN_WAIT2) with the same
// cookie, the last closer Closed at the same moment (the kernel's, netlink
// reading its report a moment later). The ebpf poller also tells a
// FIN_WAIT2 timewait socket turning TIME_WAIT.
func TestPollersAgreeOnReleases(t *testing.T) {
	requireRoot(t)
	s := openSource(t)
	if !s.ownReleases {
		t.Fatalf("the source reads netlink's TCP reports: %v", s.Notes())
	}
	nl := openNetlink(t)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	ours := func(sk sampler.Socket) bool {
		return sk.Proto == sampler.TCP && (sk.Local.Port() == port || sk.Remote.Port() == port) && sk.Remote.Port() != 0
	}
	const n = 40
	type conn struct{ client, server net.Conn }
	var conns []conn
	for range n {
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		a, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn{c, a})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	e := runPoller(t, ctx, cancel, s, ours)
	nle := runPoller(t, ctx, cancel, nl, ours)
	both := func(k [2]netip.AddrPort) bool {
		_, a := e.get(k)
		_, b := nle.get(k)
		return a && b
	}
	waitForSubscribers(t, ln, false, both) // the pollers subscribe in goroutines of their own
	var keys [][2][2]netip.AddrPort        // first closer's, last closer's
	ends := func(c net.Conn) [2]netip.AddrPort {
		return [2]netip.AddrPort{netip.MustParseAddrPort(c.LocalAddr().String()), netip.MustParseAddrPort(c.RemoteAddr().String())}
	}
	for i, c := range conns {
		first, second := c.server, c.client
		if i%2 == 0 {
			first, second = c.client, c.server
		}
		keys = append(keys, [2][2]netip.AddrPort{ends(first), ends(second)})
		first.Close()
		io.Copy(io.Discard, second)
		second.Close()
	}
	waitUntilSeen(keys, 20*time.Second, both)
	for _, k := range keys {
		for i, kk := range k {
			x, ok1 := e.get(kk)
			y, ok2 := nle.get(kk)
			if !ok1 || !ok2 {
				t.Errorf("%v -> %v: ended by the ebpf poller %v, by netlink's %v", kk[0], kk[1], ok1, ok2)
				continue
			}
			if i == 0 {
				// Both ends have closed: the kernel holds the first
				// closer's port in TIME_WAIT. A FIN_WAIT2 timewait
				// socket's turn is told by its timer armed again.
				for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
					e.mu.Lock()
					tw := e.timeWait[kk]
					e.mu.Unlock()
					if tw {
						break
					}
				}
				e.mu.Lock()
				tw := e.timeWait[kk]
				e.mu.Unlock()
				if !tw {
					t.Errorf("first closer %v -> %v: never reported in TIME_WAIT by the ebpf poller (ended in %v)", kk[0], kk[1], x.Socket.State)
				}
				agree := x.Kind == sampler.StateChanged && y.Kind == sampler.StateChanged &&
					(x.Socket.State == y.Socket.State || x.Socket.State == sampler.StateFinWait2 && y.Socket.State == sampler.StateTimeWait)
				if !agree || x.Socket.Cookie != y.Socket.Cookie {
					t.Errorf("first closer %v -> %v: ebpf %v to %v (cookie %d), netlink %v to %v (cookie %d)", kk[0], kk[1], x.Kind, x.Socket.State, x.Socket.Cookie, y.Kind, y.Socket.State, y.Socket.Cookie)
				}
				continue
			}
			if x.Kind != sampler.Closed || y.Kind != sampler.Closed || x.Socket.Cookie != y.Socket.Cookie {
				t.Errorf("last closer %v -> %v: ebpf %v (cookie %d), netlink %v (cookie %d)", kk[0], kk[1], x.Kind, x.Socket.Cookie, y.Kind, y.Socket.Cookie)
				continue
			}
			// The ebpf poller's close is the kernel's time; netlink's,
			// when its report was read. (Held counts from each poller's
			// first sample: not comparable.)
			if d := y.Time.Sub(x.Time); d < -50*time.Millisecond || d > time.Second || x.Held <= 0 {
				t.Errorf("last closer %v -> %v: closed at %v (held %v) by the ebpf poller, at %v by netlink's", kk[0], kk[1], x.Time, x.Held, y.Time)
			}
		}
	}
}
