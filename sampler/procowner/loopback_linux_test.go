package procowner

import (
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// pair is a loopback connection the test opened: both ends and the listener.
type pair struct {
	ln             net.Listener
	client, server *net.TCPConn
}

func openPair(t testing.TB, network, addr string) pair {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("no %s loopback here: %v", network, err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	c, err := net.Dial(network, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s, ok := <-accepted
	if !ok {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { s.Close() })
	return pair{ln: ln, client: c.(*net.TCPConn), server: s.(*net.TCPConn)}
}

// inodeOf is a socket's inode, as sock_diag reports it (fstat).
func inodeOf(t testing.TB, c syscall.Conn) uint64 {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.Fstat(int(fd), &st) }); err != nil || serr != nil {
		t.Fatalf("fstat socket: %v %v", err, serr)
	}
	return st.Ino
}

// pairSockets are a pair's three sockets as a sample has them: inode and
// the uid of this process, no owner yet.
func pairSockets(t testing.TB, p pair) []sampler.Socket {
	t.Helper()
	ln := p.ln.(syscall.Conn)
	return sockets(int32(os.Geteuid()), inodeOf(t, ln), inodeOf(t, p.client), inodeOf(t, p.server))
}
