//go:build linux

package sockdiag

import (
	"net"
	"net/netip"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
)

// pair is a loopback connection the test opened: both ends and the listener.
type pair struct {
	ln             *net.TCPListener
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
	return pair{ln: ln.(*net.TCPListener), client: c.(*net.TCPConn), server: s.(*net.TCPConn)}
}

func addrPort(a net.Addr) netip.AddrPort {
	return sampler.Unmap(a.(interface{ AddrPort() netip.AddrPort }).AddrPort())
}

// kernelIdentity reads a socket's cookie (SO_COOKIE) and inode (fstat).
func kernelIdentity(t testing.TB, c syscall.Conn) (cookie, inode uint64) {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		var v uint64
		v, serr = unix.GetsockoptUint64(int(fd), unix.SOL_SOCKET, unix.SO_COOKIE)
		cookie = v
		if serr != nil {
			return
		}
		var st unix.Stat_t
		serr = unix.Fstat(int(fd), &st)
		inode = st.Ino
	})
	if err != nil || serr != nil {
		t.Fatalf("socket identity: %v %v", err, serr)
	}
	return cookie, inode
}

func findSocket(socks []sampler.Socket, p sampler.Proto, local, remote netip.AddrPort) (sampler.Socket, bool) {
	for _, s := range socks {
		if s.Proto == p && s.Local == local && s.Remote == remote {
			return s, true
		}
	}
	return sampler.Socket{}, false
}
