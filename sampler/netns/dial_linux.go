//go:build linux

package netns

import (
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler/sockdiag"
)

// OpenSockDiag makes a sock_diag Source reading namespace n's table over a
// socket opened inside n. As sockdiag's own dial does, the socket is made
// without CAP_NET_ADMIN in the thread's effective set, so the kernel leaves
// out of each record the admin-only parts porttop never reads.
func OpenSockDiag(n NS) (*sockdiag.Source, error) {
	fd := -1
	err := Do(n, func() error {
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var caps [2]unix.CapUserData
		const bit = 1 << unix.CAP_NET_ADMIN
		if unix.Capget(&hdr, &caps[0]) == nil && caps[0].Effective&bit != 0 {
			caps[0].Effective &^= bit
			_ = unix.Capset(&hdr, &caps[0]) // this thread only, and it exits after
		}
		var err error
		fd, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
		return err
	})
	if err != nil {
		return nil, err
	}
	procfs := ""
	if n.Self {
		procfs = ProcDir + "/self"
	} else if n.PID != 0 {
		procfs = ProcDir + "/" + strconv.Itoa(int(n.PID))
	}
	return sockdiag.NewOnSocket(fd, procfs)
}
