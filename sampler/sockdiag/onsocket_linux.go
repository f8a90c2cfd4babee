//go:build linux

package sockdiag

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
)

// NewOnSocket makes a Source that dumps over fd, a NETLINK_SOCK_DIAG socket
// the caller opened (sampler/netns opens one inside another network
// namespace: a socket keeps the namespace it was made in). The Source owns
// fd from then on, and closes it on error. procfs is a /proc/PID directory
// of a process in that namespace, whose net/ files (snmp, sockstat) are the
// namespace's counters; "" when there is none, and the Source then reads
// no counters (Quiet is never true, KernelCounters fails).
//
// Partial samples are off: after a broken dump the Source would dial a new
// socket in porttop's own namespace. A caller should close the Source after
// any Sample error and make a new one inside the namespace.
func NewOnSocket(fd int, procfs string) (*Source, error) {
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
	if procfs == "" {
		procfs = "/dev/null/no-procfs" // every read fails: no counters
	}
	s := &Source{
		c:      &conn{f: f, rc: rc},
		buf:    make([]byte, recvBufSize),
		owners: newOwners("/proc"),
		procfs: procfs,
	}
	s.part.off = true
	s.replan()
	probe := dump{family: afInet, protocol: ipprotoTCP, proto: sampler.TCP, states: 1 << sampler.StateListen}
	if _, err := s.runDump(nil, probe); err != nil {
		s.Close()
		return nil, fmt.Errorf("netlink sock_diag does not answer: %w", err)
	}
	return s, nil
}
