//go:build linux

package ebpf

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/porttop/porttop/sampler"
	nsrc "github.com/porttop/porttop/sampler/netns"
	"github.com/porttop/porttop/sampler/nstest"
)

// pairEnv makes this test binary listen on the address it names, wait for
// a line on stdin, connect to itself, print the client's local address and
// hold both ends until stdin closes.
const pairEnv = "PORTTOP_EBPF_PAIR"

func listenAndConnect(addr string) int {
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("listening")
	in := bufio.NewReader(os.Stdin)
	if _, err := in.ReadString('\n'); err != nil {
		return 1
	}
	c, err := net.Dial("tcp4", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	a, err := ln.Accept()
	if err != nil {
		return 1
	}
	fmt.Println(c.LocalAddr())
	_, _ = io.Copy(io.Discard, in)
	c.Close()
	a.Close()
	return 0
}

// pair is this test binary run as listenAndConnect in a namespace.
type pair struct {
	pid   int32 // ip netns exec execs the helper in place
	stdin io.WriteCloser
	lines *bufio.Scanner
}

// startPair runs listenAndConnect on server inside namespace name and
// waits until it listens; it is stopped when the test ends.
func startPair(t *testing.T, name, server string) *pair {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", name, self)
	cmd.Env = append(os.Environ(), pairEnv+"="+server)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	h := &pair{pid: int32(cmd.Process.Pid), stdin: stdin, lines: bufio.NewScanner(stdout)}
	if !h.lines.Scan() || h.lines.Text() != "listening" {
		t.Fatalf("helper: %q %v", h.lines.Text(), h.lines.Err())
	}
	return h
}

// connect has the helper connect to its listener and returns the
// client's local address.
func (h *pair) connect(t *testing.T) netip.AddrPort {
	t.Helper()
	fmt.Fprintln(h.stdin, "go")
	if !h.lines.Scan() {
		t.Fatalf("helper: %v", h.lines.Err())
	}
	return netip.MustParseAddrPort(strings.TrimSpace(h.lines.Text()))
}

// TestSourceTagsAnotherNamespacesConnection: with the every-namespace
// source inside, a connection made in an `ip netns` namespace reaches the
// transition stream with its namespace, the process that opened it (and
// where), and the cookie the namespace's sock_diag reports.
func TestSourceTagsAnotherNamespacesConnection(t *testing.T) {
	nstest.RequireRoot(t)
	name := nstest.Netns(t, "ebpf", 0, 0)
	fi, err := os.Stat("/run/netns/" + name)
	if err != nil {
		t.Fatal(err)
	}
	ino := uint32(fi.Sys().(*syscall.Stat_t).Ino)
	inner, err := nsrc.New()
	if err != nil {
		t.Fatalf("netns source as root: %v", err)
	}
	s, err := NewSource(inner)
	if err != nil {
		inner.Close()
		t.Fatalf("NewSource as root: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if !s.probe.Cookies() {
		t.Skipf("this kernel gives no socket cookies to tracing programs: %v", s.probe.Notes())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	all := make(chan sampler.Transition, 4096)
	failed := make(chan sampler.PortFailure, 16)
	go s.WatchTransitions(ctx, all, failed)
	// Every namespace's records come (other programs' on this machine
	// too): take them as they come and keep the test namespace's, or a
	// reader waiting on this test would have the kernel drop records,
	// this test's among them.
	out := make(chan sampler.Transition, 4096)
	go func() {
		for {
			select {
			case tr := <-all:
				if tr.NetNS != ino {
					continue
				}
				select {
				case out <- tr:
				case <-ctx.Done():
					return
				}
			case <-failed:
			case <-ctx.Done():
				return
			}
		}
	}()

	const server = "127.0.0.1:7777"
	h := startPair(t, name, server)
	// A sample first: the namespace is read and its name known.
	if _, err := s.Sample(ctx); err != nil {
		t.Fatal(err)
	}
	local := h.connect(t)
	remote := netip.MustParseAddrPort(server)
	pid := h.pid

	snap, err := s.Sample(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var cookie uint64
	for _, sk := range snap.Sockets {
		if sk.Local == local && sk.Remote == remote && uint32(sk.Netns) == ino {
			cookie = sk.Cookie
		}
	}
	if cookie == 0 {
		t.Fatalf("the namespace's sample has no socket %v -> %v", local, remote)
	}
	var connect, established *sampler.Transition
	timeout := ctxTimeout(t)
	for connect == nil || established == nil {
		var tr sampler.Transition
		select {
		case tr = <-out:
		case <-timeout:
			if dropped := s.Lost(); dropped > 0 {
				t.Skipf("the kernel dropped %d records while the test ran (a machine too busy for the reader, e.g. churn in other namespaces): no connect and established transitions of %v -> %v", dropped, local, remote)
			}
			t.Fatalf("no connect and established transitions of %v -> %v (connect %v)", local, remote, connect != nil)
		}
		if tr.Cookie != cookie {
			continue
		}
		switch {
		case tr.From == sampler.StateClose && tr.To == sampler.StateSynSent:
			connect = &tr
		case tr.From == sampler.StateSynSent && tr.To == sampler.StateEstablished:
			established = &tr
		}
	}
	for _, tr := range []*sampler.Transition{connect, established} {
		if tr.NetNS != ino || tr.Place.Netns != uint64(ino) || tr.Place.NetnsName() != name {
			t.Errorf("%v -> %v: netns %d, place %+v; want %d %q", tr.From, tr.To, tr.NetNS, tr.Place, ino, name)
		}
		if tr.Opener.PID != pid || tr.Opener.Process != ownComm(t) || tr.Opener.UID != 0 || tr.Opener.Gone {
			t.Errorf("%v -> %v: opener %+v, want pid %d %q uid 0", tr.From, tr.To, tr.Opener, pid, ownComm(t))
		}
		if tr.Place.CgroupID == 0 {
			t.Errorf("%v -> %v: no cgroup id", tr.From, tr.To)
		}
	}
	if established.Local != local || established.Remote != remote {
		t.Errorf("established %v -> %v, want %v -> %v", established.Local, established.Remote, local, remote)
	}
}

// ctxTimeout bounds a wait for records (a hang, not a measurement).
func ctxTimeout(t *testing.T) <-chan struct{} {
	ctx, cancel := context.WithTimeout(context.Background(), 10e9)
	t.Cleanup(cancel)
	return ctx.Done()
}

// TestSourceOfOneNamespaceLeavesOthersInTheKernel: over netlink (porttop's
// namespace alone), another namespace's connection never reaches the
// stream; the programs drop its records before the ring.
func TestSourceOfOneNamespaceLeavesOthersInTheKernel(t *testing.T) {
	nstest.RequireRoot(t)
	name := nstest.Netns(t, "ebpfonly", 0, 0)
	s := openSource(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan sampler.Transition, 4096)
	go s.WatchTransitions(ctx, out, make(chan sampler.PortFailure, 16))
	startPair(t, name, "127.0.0.1:7778").connect(t)
	// Then a connection here, read after the other's records would be.
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	closeConn(t, ln, true)
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	timeout := ctxTimeout(t)
	for {
		select {
		case tr := <-out:
			if tr.NetNS != 0 && tr.NetNS != s.netns {
				t.Fatalf("a record of namespace %d reached the stream: %+v", tr.NetNS, tr)
			}
			if tr.Remote.Port() == port && tr.To == sampler.StateClose {
				return
			}
		case <-timeout:
			t.Fatal("no transitions of this namespace's connection")
		}
	}
}
