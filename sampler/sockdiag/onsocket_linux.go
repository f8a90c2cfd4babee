//go:build linux

package sockdiag

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// NewOnSocket makes a Source that dumps over fd, a NETLINK_SOCK_DIAG socket
// the caller opened (sampler/netns opens one inside another network
// namespace: a socket keeps the namespace it was made in). The Source owns
// fd from then on, and closes it on error. procfs is a /proc/PID directory
// of a process in that namespace, whose net/ files (snmp, sockstat) are the
// namespace's counters; "" when there is none, and the Source then reads
// no counters (Quiet is never true, KernelCounters fails).
//
// Partial samples are off and the Source never dials again: a new socket
// would be made in porttop's own namespace. A caller should close the
// Source after any Sample error and make a new one inside the namespace.
func NewOnSocket(fd int, procfs string) (*Source, error) {
	c, err := connOnFD(fd)
	if err != nil {
		return nil, err
	}
	given := false
	dial := func() (Conn, error) {
		if given {
			return nil, errors.New("the sock_diag socket of another network namespace is closed: open the source inside it again")
		}
		given = true
		return c, nil
	}
	if procfs == "" {
		procfs = "/dev/null/no-procfs" // every read fails: no counters
	}
	s, err := Open(Options{Dial: dial, Procfs: procfs})
	if err != nil {
		if !given {
			c.Close()
		}
		return nil, err
	}
	s.part.off = true
	return s, nil
}

// connOnFD binds fd, a NETLINK_SOCK_DIAG socket, and wraps it as a conn.
func connOnFD(fd int) (*conn, error) {
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, err
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
