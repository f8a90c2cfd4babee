//go:build linux

package ebpf

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/sockdiag"
)

// clientEnv makes this test binary a client that connects to the address
// it names, closes first (leaving its socket in TIME_WAIT), prints its
// local address and exits.
const clientEnv = "PORTTOP_EBPF_CLIENT"

func connectAndQuit(addr string) int {
	c, err := net.Dial("tcp4", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(c.LocalAddr())
	c.Close()
	return 0
}

// openNetlink is a netlink sock_diag source, closed when the test ends.
func openNetlink(t *testing.T) *sockdiag.Source {
	t.Helper()
	nl, err := sockdiag.New()
	if err != nil {
		t.Skipf("netlink sock_diag unavailable: %v", err)
	}
	t.Cleanup(func() { nl.Close() })
	return nl
}

func openSource(t *testing.T) *Source {
	t.Helper()
	inner, err := sockdiag.New()
	if err != nil {
		t.Skipf("netlink sock_diag unavailable: %v", err)
	}
	s, err := NewSource(inner)
	if err != nil {
		inner.Close()
		t.Fatalf("NewSource as root: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// TestSourceNamesTheExitedClientOfATimeWait: a client process connects,
// closes first and exits; netlink alone sees its TIME_WAIT socket with no
// process, the ebpf source with the client's pid and name, gone.
func TestSourceNamesTheExitedClientOfATimeWait(t *testing.T) {
	requireRoot(t)
	s := openSource(t)
	ln := closingServer(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), clientEnv+"="+ln.Addr().String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	pid := int32(cmd.Process.Pid)
	local := netip.MustParseAddrPort(strings.TrimSpace(string(out)))
	remote := netip.MustParseAddrPort(ln.Addr().String())
	var got sampler.Socket
	ok := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !ok; time.Sleep(20 * time.Millisecond) {
		snap, err := s.Sample(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, sk := range snap.Sockets {
			if sk.Local == local && sk.Remote == remote && sk.State == sampler.StateTimeWait && sk.PID != 0 {
				got, ok = sk, true
			}
		}
	}
	if !ok {
		t.Fatalf("no TIME_WAIT socket %v -> %v with a process", local, remote)
	}
	if got.PID != pid || got.Process != ownComm(t) || !got.Owner.Gone {
		t.Errorf("TIME_WAIT socket %+v, want pid %d %q, gone", got, pid, ownComm(t))
	}
	// What netlink alone says of it: no process.
	snap, err := s.inner.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, sk := range snap.Sockets {
		if sk.Local == local && sk.Remote == remote && sk.PID != 0 {
			t.Errorf("netlink alone names the exited client (%d): the test shows nothing", sk.PID)
		}
	}
}

// TestSourceAgreesWithNetlink: on the same held loopback sockets, the ebpf
// source's sample is netlink's, socket for socket.
func TestSourceAgreesWithNetlink(t *testing.T) {
	requireRoot(t)
	s := openSource(t)
	nl := openNetlink(t)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := 0; i < 20; i++ {
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		a, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c, a)
	}
	ours := func(snap sampler.Snapshot) map[sampler.ID]sampler.Socket {
		m := map[sampler.ID]sampler.Socket{}
		for _, sk := range snap.Sockets {
			if sk.Proto == sampler.TCP && (int(sk.Local.Port()) == port || int(sk.Remote.Port()) == port) {
				m[sk.ID] = sk
			}
		}
		return m
	}
	a, err := s.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, err := nl.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ea, nb := ours(a), ours(b)
	if len(ea) != 41 || len(nb) != 41 {
		t.Fatalf("ebpf sees %d sockets, netlink %d, want 41 (a listener and 20 connections)", len(ea), len(nb))
	}
	pid := int32(os.Getpid())
	for id, x := range nb {
		y, ok := ea[id]
		if !ok || y.State != x.State {
			t.Errorf("%v: netlink %s, ebpf %s (present %v)", id, x.State, y.State, ok)
			continue
		}
		if y.PID != pid {
			t.Errorf("%v: ebpf source says pid %d, want %d", id, y.PID, pid)
		}
	}
}

// TestSourceReleasesNameTheOpener: closing a connection is reported as it
// happens, the active closer's socket as TIME_WAIT, with this process.
func TestSourceReleasesNameTheOpener(t *testing.T) {
	requireRoot(t)
	s := openSource(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan sampler.Release, 64)
	errc := make(chan error, 1)
	go func() { errc <- s.WatchReleases(ctx, out) }()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("WatchReleases: %v", err)
		}
	}()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// Subscribing is asynchronous: connections made before it are missed,
	// so make them until one's release arrives.
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		closeConn(t, ln, true)
		timeout := time.After(200 * time.Millisecond)
	wait:
		for {
			select {
			case r := <-out:
				if r.Socket.Remote.Port() == port && r.Socket.State == sampler.StateTimeWait {
					if r.Socket.PID != int32(os.Getpid()) || r.Socket.Process != ownComm(t) {
						t.Errorf("release %+v, want this process", r.Socket)
					}
					return
				}
			case <-timeout:
				break wait
			}
		}
	}
	t.Fatal("no TIME_WAIT release for the client's socket")
}

// closingServer listens on loopback and closes each connection it accepts
// once the client has closed (or sent a byte): the server's side of the
// short-lived clients the tests make. It is closed when the test ends.
func closingServer(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { buf := make([]byte, 1); c.Read(buf); c.Close() }()
		}
	}()
	return ln
}

// A wait for the reader that gave up (the machine starved porttop: a
// release may then go before its socket's transitions, and its hand-out
// lack the process) is said in a note, never silently.
func TestGivenUpCatchUpsAreNoted(t *testing.T) {
	requireRoot(t)
	s := openSource(t)
	for _, n := range s.Notes() {
		if strings.Contains(n, "gave up") {
			t.Fatalf("a note before any wait gave up: %q", n)
		}
	}
	s.lateCatchUps.Add(3)
	for _, n := range s.Notes() {
		if strings.Contains(n, "3 waits for the kernel events' reader gave up") {
			return
		}
	}
	t.Errorf("no note of the waits that gave up: %q", s.Notes())
}
