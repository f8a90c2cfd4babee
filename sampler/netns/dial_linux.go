//go:build linux

package netns

import (
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler/sockdiag"
)

// OpenSockDiag makes a sock_diag Source reading namespace n's table. Every
// netlink socket it opens (the dump socket, again after a broken dump, and
// the release watcher's two) is made inside n by Dialer, so the Source
// gets partial samples and destroy events of n as in porttop's own. Its
// counters (partial samples, Quiet) are read from c, n's counter files;
// with c nil, through a process in n (none: no counters).
func OpenSockDiag(n NS, c *CounterFiles) (*sockdiag.Source, error) {
	opts := sockdiag.Options{Dial: Dialer(n), Procfs: "/dev/null/no-procfs"}
	switch {
	case c != nil:
		opts.ReadCounters = c.Read
	case n.Self:
		opts.Procfs = ProcDir + "/self"
	case n.PID != 0:
		opts.Procfs = ProcDir + "/" + strconv.Itoa(int(n.PID))
	}
	return sockdiag.Open(opts)
}

// Dialer opens NETLINK_SOCK_DIAG sockets inside namespace n (a socket keeps
// the namespace it was made in, and is then used from any thread). As
// sockdiag's own dial does, the socket is made without CAP_NET_ADMIN in the
// thread's effective set, so the kernel leaves out of each record the
// admin-only parts porttop never reads; joining the destroy groups is
// checked later, on the thread that joins.
func Dialer(n NS) func() (sockdiag.Conn, error) {
	return func() (sockdiag.Conn, error) {
		var c sockdiag.Conn
		err := Do(n, func() error {
			hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
			var caps [2]unix.CapUserData
			const bit = 1 << unix.CAP_NET_ADMIN
			if unix.Capget(&hdr, &caps[0]) == nil && caps[0].Effective&bit != 0 {
				caps[0].Effective &^= bit
				_ = unix.Capset(&hdr, &caps[0]) // this thread only, and it exits after
			}
			var err error
			c, err = sockdiag.Dial()
			return err
		})
		return c, err
	}
}
