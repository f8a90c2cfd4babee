//go:build linux

package sockdiag

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
)

// watch subscribes and runs the watcher until the test ends.
func watch(t *testing.T) <-chan sampler.Release {
	t.Helper()
	return watchSource(t, newSource(t))
}

func watchSource(t *testing.T, src *Source) <-chan sampler.Release {
	t.Helper()
	w, err := src.subscribe(destroyGroups)
	if err != nil {
		t.Skipf("kernel refused the socket-destroy subscription: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan sampler.Release, 1024)
	done := make(chan error, 1)
	go func() { done <- w.run(ctx, out) }()
	t.Cleanup(func() {
		cancel()
		w.close()
		if err := <-done; err != nil {
			t.Errorf("watcher ended with %v", err)
		}
	})
	return out
}

// awaitReleases collects releases until every wanted cookie arrived, or
// gives up after a generous wait (a failure guard, not a speed check).
func awaitReleases(t *testing.T, in <-chan sampler.Release, cookies ...uint64) map[uint64]sampler.Release {
	t.Helper()
	got := map[uint64]sampler.Release{}
	giveUp := time.After(10 * time.Second)
	for {
		missing := 0
		for _, c := range cookies {
			if _, ok := got[c]; !ok {
				missing++
			}
		}
		if missing == 0 {
			return got
		}
		select {
		case r := <-in:
			got[r.Socket.Cookie] = r
		case <-giveUp:
			t.Fatalf("%d of %d releases never reported", missing, len(cookies))
		}
	}
}

func TestWatchReportsShortConnectionAndTimeWait(t *testing.T) {
	for _, tc := range []struct{ network, addr string }{
		{"tcp4", "127.0.0.1:0"},
		{"tcp6", "[::1]:0"},
	} {
		t.Run(tc.network, func(t *testing.T) {
			src := newSource(t)
			releases := watch(t)
			// Opened and closed with no sample in between: only the
			// kernel's report can tell of it. The server closes first, so
			// it lingers in TIME_WAIT while the client goes away. Nobody
			// asks the server end's cookie, so the kernel makes it only at
			// the destroy report, after the timewait socket was made.
			p := openPair(t, tc.network, tc.addr)
			clientCookie, _ := kernelIdentity(t, p.client)
			serverLocal, serverRemote := addrPort(p.server.LocalAddr()), addrPort(p.server.RemoteAddr())
			p.server.Close()
			buf := make([]byte, 1)
			if _, err := p.client.Read(buf); err == nil {
				t.Fatal("client read data, want EOF")
			}
			p.client.Close()

			var client, server *sampler.Release
			giveUp := time.After(10 * time.Second)
			for client == nil || server == nil {
				select {
				case r := <-releases:
					switch {
					case r.Socket.Cookie == clientCookie:
						client = &r
					case r.Socket.Local == serverLocal && r.Socket.Remote == serverRemote:
						server = &r
					}
				case <-giveUp:
					t.Fatalf("releases missing: client %v server %v", client != nil, server != nil)
				}
			}
			c, s := client.Socket, server.Socket
			if c.Proto != sampler.TCP || c.Local != addrPort(p.client.LocalAddr()) || c.Remote != addrPort(p.client.RemoteAddr()) {
				t.Errorf("client release %+v", c)
			}
			if c.State == sampler.StateTimeWait || c.State == sampler.StateFinWait2 || client.At.IsZero() {
				t.Errorf("client closed second: release %+v at %v", c, client.At)
			}
			if s.State != sampler.StateTimeWait && s.State != sampler.StateFinWait2 {
				// FIN_WAIT2 when the kernel was asked before the client's FIN came.
				t.Fatalf("server release %+v, want TIME_WAIT or FIN_WAIT2", s)
			}
			// A TIME_WAIT release says when its timer frees it, as a dump does.
			if left := s.TimeWaitEnds.Time().Sub(server.At); s.State == sampler.StateTimeWait && (left < 50*time.Second || left > 61*time.Second) {
				t.Errorf("TIME_WAIT release ends %v after it, want about 60s (TCP_TIMEWAIT_LEN)", left)
			}
			// The release carries the cookie later samples show.
			snap, err := src.Sample(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			tw, ok := findSocket(snap.Sockets, sampler.TCP, serverLocal, serverRemote)
			if !ok || tw.State != sampler.StateTimeWait || tw.Cookie != s.Cookie {
				t.Errorf("sample has %+v (found %v), release said cookie %d in TIME_WAIT", tw, ok, s.Cookie)
			}
		})
	}
}

func TestWatchReportsUDP(t *testing.T) {
	releases := watch(t)
	c, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		t.Skipf("no ::1: %v", err)
	}
	cookie, _ := kernelIdentity(t, c.(*net.UDPConn))
	local := addrPort(c.LocalAddr())
	c.Close()
	r := awaitReleases(t, releases, cookie)[cookie]
	if r.Socket.Proto != sampler.UDP || r.Socket.Local != local || r.Socket.State != sampler.StateNone {
		t.Errorf("udp release %+v, want %v with no state", r.Socket, local)
	}
}

func TestWatchReleasesEndsWithContext(t *testing.T) {
	src := newSource(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.WatchReleases(ctx, make(chan sampler.Release)) }()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("WatchReleases after cancel: %v", err)
	}
}

// TestWatchCountsOverflows: with a tiny receive buffer and nobody reading,
// the kernel drops reports; the loss is counted and said in Notes.
func TestWatchCountsOverflows(t *testing.T) {
	src := newSource(t)
	w, err := src.subscribe(destroyGroups)
	if err != nil {
		t.Skipf("kernel refused the socket-destroy subscription: %v", err)
	}
	if err := w.c.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUF, 1); err != nil { // the kernel rounds up to its minimum
		t.Fatal(err)
	}
	for i := 0; i < 2000; i++ { // far past what a minimal buffer holds, even if the kernel reads a few
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan sampler.Release, 1024)
	done := make(chan error, 1)
	go func() { done <- w.run(ctx, out) }()
	giveUp := time.After(10 * time.Second)
	for src.Lost() == 0 {
		select {
		case <-out:
		case <-giveUp:
			t.Fatal("2000 reports into a minimal buffer, and no overflow counted")
		}
	}
	cancel()
	w.close()
	if err := <-done; err != nil {
		t.Errorf("watcher ended with %v after an overflow", err)
	}
	notes := src.Notes()
	if len(notes) == 0 || !strings.Contains(notes[0], "lost") {
		t.Errorf("notes %q do not mention the loss", notes)
	}
}

// TestWatchKeepsToTheQuery: a source narrowed to one port reports releases
// on that port only (and so looks up no others in TIME_WAIT).
func TestWatchKeepsToTheQuery(t *testing.T) {
	src := newSource(t)
	wanted, other := openPair(t, "tcp4", "127.0.0.1:0"), openPair(t, "tcp4", "127.0.0.1:0")
	port := addrPort(wanted.ln.Addr()).Port()
	src.SetQuery(sampler.Query{Ports: []sampler.PortRange{{Lo: port, Hi: port}}})
	releases := watchSource(t, src)
	wantedCookie, _ := kernelIdentity(t, wanted.client)
	otherCookie, _ := kernelIdentity(t, other.client)
	other.client.Close()
	other.server.Close()
	wanted.client.Close()
	got := awaitReleases(t, releases, wantedCookie)
	drainUntil := time.After(300 * time.Millisecond)
	for done := false; !done; {
		select {
		case r := <-releases:
			got[r.Socket.Cookie] = r
		case <-drainUntil:
			done = true
		}
	}
	otherPort := addrPort(other.ln.Addr()).Port()
	for _, r := range got {
		if r.Socket.Cookie == otherCookie || r.Socket.Local.Port() == otherPort || r.Socket.Remote.Port() == otherPort {
			t.Errorf("a release outside the query was reported: %+v", r.Socket)
		}
	}
}

// A caller that knows which sockets closed for good (SetClosedForGood: the
// ebpf source, from the kernel's transitions) spares their releases the
// TIME_WAIT lookup: the watcher asks it by cookie, and a socket it vouches
// for comes as closed, with no lookup, even the server's end here, which
// in fact lives on in TIME_WAIT (so the test can tell the lookup was
// skipped); one it does not know is looked up as ever.
func TestWatchAsksWhichSocketsClosedForGood(t *testing.T) {
	for _, vouch := range []bool{false, true} {
		t.Run(map[bool]string{false: "unknown", true: "vouched"}[vouch], func(t *testing.T) {
			src := newSource(t)
			asked := make(chan uint64, 64)
			src.SetClosedForGood(func(cookie uint64) bool {
				select {
				case asked <- cookie:
				default:
				}
				return vouch
			})
			releases := watchSource(t, src)
			p := openPair(t, "tcp4", "127.0.0.1:0")
			serverLocal, serverRemote := addrPort(p.server.LocalAddr()), addrPort(p.server.RemoteAddr())
			p.server.Close()
			buf := make([]byte, 1)
			if _, err := p.client.Read(buf); err == nil {
				t.Fatal("client read data, want EOF")
			}
			p.client.Close()
			var server *sampler.Release
			for giveUp := time.After(10 * time.Second); server == nil; {
				select {
				case r := <-releases:
					if r.Socket.Local == serverLocal && r.Socket.Remote == serverRemote {
						server = &r
					}
				case <-giveUp:
					t.Fatal("the server end's release never came")
				}
			}
			timeWait := server.Socket.State == sampler.StateTimeWait || server.Socket.State == sampler.StateFinWait2
			if timeWait == vouch {
				t.Errorf("closed for good %v: server release in %v", vouch, server.Socket.State)
			}
			select {
			case <-asked:
			default:
				t.Error("the watcher never asked which sockets closed for good")
			}
		})
	}
}

// TestWatchUDPReleasesLeavesTCPOut: watching UDP's destroy groups alone,
// a closed TCP connection is never reported (the kernel sends no TCP
// report), a closed UDP socket is.
func TestWatchUDPReleasesLeavesTCPOut(t *testing.T) {
	src := newSource(t)
	w, err := src.subscribe(udpDestroyGroups)
	if err != nil {
		t.Skipf("kernel refused the socket-destroy subscription: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	releases := make(chan sampler.Release, 1024)
	done := make(chan error, 1)
	go func() { done <- w.run(ctx, releases) }()
	t.Cleanup(func() {
		cancel()
		w.close()
		if err := <-done; err != nil {
			t.Errorf("watcher ended with %v", err)
		}
	})
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sv, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	cl.Close()
	sv.Close()
	ln.Close()
	// The UDP socket is closed after the TCP ones: once its release is
	// in, theirs would have been before it.
	u, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cookie, _ := kernelIdentity(t, u.(*net.UDPConn))
	u.Close()
	giveUp := time.After(10 * time.Second)
	for {
		select {
		case r := <-releases:
			if r.Socket.Proto == sampler.TCP {
				t.Fatalf("TCP release %+v reported to a UDP-only watcher", r.Socket)
			}
			if r.Socket.Cookie == cookie {
				return
			}
		case <-giveUp:
			t.Fatal("the UDP socket's release never came")
		}
	}
}
