//go:build linux

package sockdiag

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// conn is a NETLINK_SOCK_DIAG socket in non-blocking mode, registered with
// Go's poller so that a blocked receive ends when the conn is closed.
type conn struct {
	f  *os.File
	rc syscall.RawConn
}

// Dial opens a plain NETLINK_SOCK_DIAG socket in the network namespace of
// the calling OS thread, for an Options.Dial that must open it elsewhere
// (lock the thread, enter the namespace, Dial, go back). Its Conn also
// serves the release watcher.
func Dial() (Conn, error) { return dial() }

func dial() (*conn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return nil, fmt.Errorf("open netlink sock_diag socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bind netlink sock_diag socket: %w", err)
	}
	f := os.NewFile(uintptr(fd), "sock_diag")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &conn{f: f, rc: rc}, nil
}

var _ watchConn = (*conn)(nil)

func (c *conn) Close() error { return c.f.Close() }

// SetReadDeadline bounds the wait of later Recv calls.
func (c *conn) SetReadDeadline(t time.Time) error { return c.f.SetReadDeadline(t) }

// SetsockoptInt runs an int socket option on the conn's descriptor.
func (c *conn) SetsockoptInt(level, opt, value int) error {
	var serr error
	if err := c.rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), level, opt, value)
	}); err != nil {
		return err
	}
	return serr
}

// Send writes one datagram of requests.
func (c *conn) Send(b []byte) error {
	var serr error
	err := c.rc.Write(func(fd uintptr) bool {
		_, serr = unix.Write(int(fd), b)
		return !errors.Is(serr, unix.EAGAIN)
	})
	if err != nil {
		return err
	}
	return serr
}

// Recv waits for one netlink datagram (one kernel skb, possibly holding many
// messages) and reads it into buf.
func (c *conn) Recv(buf []byte) (int, error) {
	var n int
	var serr error
	err := c.rc.Read(func(fd uintptr) bool {
		n, serr = unix.Read(int(fd), buf)
		return !errors.Is(serr, unix.EAGAIN)
	})
	if err != nil {
		return 0, err
	}
	return n, serr
}

// TryRecv reads a datagram if one is waiting; ok is false when none is.
func (c *conn) TryRecv(buf []byte) (n int, ok bool, err error) {
	var serr error
	err = c.rc.Read(func(fd uintptr) bool {
		n, serr = unix.Read(int(fd), buf)
		return true
	})
	if err != nil {
		return 0, false, err
	}
	if errors.Is(serr, unix.EAGAIN) {
		return 0, false, nil
	}
	return n, serr == nil, serr
}
