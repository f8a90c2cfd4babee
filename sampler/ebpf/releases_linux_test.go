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
)

// releaseLog gathers a WatchReleases' releases by addresses.
type releaseLog struct {
	mu  sync.Mutex
	got map[[2]netip.AddrPort]sampler.Release
	udp map[netip.AddrPort]bool
}

func watchReleases(t *testing.T, w sampler.ReleaseWatcher) *releaseLog {
	t.Helper()
	l := &releaseLog{got: map[[2]netip.AddrPort]sampler.Release{}, udp: map[netip.AddrPort]bool{}}
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan sampler.Release, 1024)
	errc := make(chan error, 1)
	go func() { errc <- w.WatchReleases(ctx, out) }()
	go func() {
		for {
			select {
			case r := <-out:
				l.mu.Lock()
				if r.Socket.Proto == sampler.UDP {
					l.udp[r.Socket.Local] = true
				} else {
					l.got[[2]netip.AddrPort{r.Socket.Local, r.Socket.Remote}] = r
				}
				l.mu.Unlock()
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("WatchReleases: %v", err)
		}
	})
	return l
}

func (l *releaseLog) has(k [2]netip.AddrPort) (sampler.Release, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.got[k]
	return r, ok
}

// waitUntilSeen polls every 10 ms until seen holds for both ends of every
// pair, or within has passed (the caller's checks then say what is
// missing).
func waitUntilSeen(pairs [][2][2]netip.AddrPort, within time.Duration, seen func([2]netip.AddrPort) bool) {
	deadline := time.Now().Add(within)
	for _, p := range pairs {
		for _, k := range p {
			for !seen(k) && !time.Now().After(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
}

// waitForSubscribers closes loopback connections (the last closer's end
// given to seen) until seen says both watchers saw one: they subscribe
// asynchronously, and a connection closed before that is missed by one.
func waitForSubscribers(t *testing.T, ln net.Listener, clientFirst bool, seen func([2]netip.AddrPort) bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		p := closePair(t, ln, clientFirst, false)
		time.Sleep(50 * time.Millisecond)
		if seen(p[1]) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no loopback connection's release seen by both within 10 s")
		}
	}
}

// closePair makes one loopback connection and closes it, the client's
// side first or the server's, by close (the first closer orphaned) or by
// shutdown (held until the peer closed); it returns both sockets'
// addresses, the first closer's first.
func closePair(t *testing.T, ln net.Listener, clientFirst, shutdown bool) [2][2]netip.AddrPort {
	t.Helper()
	client, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	first, second := server, client
	if clientFirst {
		first, second = client, server
	}
	ends := func(c net.Conn) [2]netip.AddrPort {
		return [2]netip.AddrPort{netip.MustParseAddrPort(c.LocalAddr().String()), netip.MustParseAddrPort(c.RemoteAddr().String())}
	}
	pair := [2][2]netip.AddrPort{ends(first), ends(second)}
	if shutdown {
		if err := first.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
	} else {
		first.Close()
	}
	if _, err := io.Copy(io.Discard, second); err != nil {
		t.Fatal(err)
	}
	second.Close()
	if shutdown {
		if _, err := io.Copy(io.Discard, first); err != nil {
			t.Fatal(err)
		}
		first.Close()
	}
	return pair
}

// TestReleasesAgreeWithNetlink: with the timewait program, the ebpf
// source's TCP releases come from the kernel's events, netlink's TCP
// destroy reports unread; for the same loopback connections, closed by
// each side first, by close and by shutdown, they name the same sockets
// with the same cookies as netlink's reports and TIME_WAIT lookups, the
// first closer living on (TIME_WAIT or FIN_WAIT2, ending with the
// timewait socket's timer), the last closer gone. UDP releases still come
// (from netlink's UDP groups).
func TestReleasesAgreeWithNetlink(t *testing.T) {
	requireRoot(t)
	s := openSource(t)
	if !s.ownReleases {
		t.Fatalf("the source reads netlink's TCP reports: %v", s.Notes())
	}
	nl := openNetlink(t)
	ours, theirs := watchReleases(t, s), watchReleases(t, nl)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	both := func(k [2]netip.AddrPort) bool {
		_, a := ours.has(k)
		_, b := theirs.has(k)
		return a && b
	}
	waitForSubscribers(t, ln, true, both)
	var pairs [][2][2]netip.AddrPort
	for i := 0; i < 25; i++ {
		for _, m := range [][2]bool{{true, false}, {false, false}, {true, true}, {false, true}} {
			pairs = append(pairs, closePair(t, ln, m[0], m[1]))
		}
	}
	udp, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	udpAddr := netip.MustParseAddrPort(udp.LocalAddr().String())
	udp.Close()
	waitUntilSeen(pairs, 10*time.Second, both)
	s.closed.mu.Lock()
	if n := len(s.closed.cookies); n != 0 {
		t.Errorf("%d closes kept for netlink's release watcher, which does not run", n)
	}
	s.closed.mu.Unlock()
	livedOn := 0
	for _, p := range pairs {
		for i, k := range p {
			o, ok1 := ours.has(k)
			n, ok2 := theirs.has(k)
			if !ok1 || !ok2 {
				t.Errorf("%v -> %v: released by ebpf %v, by netlink %v", k[0], k[1], ok1, ok2)
				continue
			}
			if o.Socket.Cookie != n.Socket.Cookie || o.Socket.Cookie == 0 {
				t.Errorf("%v -> %v: cookie %d, netlink %d", k[0], k[1], o.Socket.Cookie, n.Socket.Cookie)
			}
			// netlink looks the timewait socket up a moment later: a
			// FIN_WAIT2 one may have turned TIME_WAIT by then.
			agree := o.Socket.State == n.Socket.State ||
				o.Socket.State == sampler.StateFinWait2 && n.Socket.State == sampler.StateTimeWait
			if !agree {
				t.Errorf("%v -> %v (closed %s): released in %v, netlink says %v", k[0], k[1], []string{"first", "last"}[i], o.Socket.State, n.Socket.State)
			}
			if want := i == 0; livesOn(o.Socket.State) != want {
				t.Errorf("%v -> %v: the %s closer released in %v", k[0], k[1], []string{"first", "last"}[i], o.Socket.State)
			}
			if o.Socket.State == sampler.StateTimeWait {
				livedOn++
				e := o.Socket.TimeWaitEnds.Time().Sub(o.At)
				if e < 59*time.Second || e > 61*time.Second {
					t.Errorf("%v -> %v: TIME_WAIT ends %v after its release, want 60 s", k[0], k[1], e)
				}
				if n.Socket.State == sampler.StateTimeWait {
					if d := o.Socket.TimeWaitEnds.Time().Sub(n.Socket.TimeWaitEnds.Time()); d < -time.Second || d > time.Second {
						t.Errorf("%v -> %v: TIME_WAIT ends %v apart from netlink's", k[0], k[1], d)
					}
				}
			}
			if o.At.After(n.At) {
				t.Errorf("%v -> %v: released at %v, after netlink read its report (%v)", k[0], k[1], o.At, n.At)
			}
		}
	}
	if livedOn == 0 {
		t.Errorf("no first closer released to TIME_WAIT among %d connections", len(pairs))
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		ours.mu.Lock()
		got := ours.udp[udpAddr]
		ours.mu.Unlock()
		if got {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no release of the UDP socket %v through the ebpf source", udpAddr)
		}
	}
}

// livesOn: a release to a timewait socket.
func livesOn(st sampler.State) bool {
	return st == sampler.StateTimeWait || st == sampler.StateFinWait2
}
