//go:build linux

package sockdiag

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// dialDump opens the socket that samples are dumped over without
// CAP_NET_ADMIN in its credentials. The kernel then leaves the admin-only
// parts out of every record (the socket mark, TCP MD5 and ULP details),
// which porttop never reads and which cost about a tenth of the kernel's
// dump time at 10k sockets. The capability is dropped from the effective set
// of one locked OS thread only, for the socket() call, and that thread is
// never handed back to the scheduler: it ends with its goroutine. Where the
// capability is not held, or cannot be dropped, it is a plain dial.
func dialDump() (*conn, error) {
	type result struct {
		c   *conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with us
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var caps [2]unix.CapUserData // the v3 layout is two words
		const bit = 1 << unix.CAP_NET_ADMIN
		if unix.Capget(&hdr, &caps[0]) == nil && caps[0].Effective&bit != 0 {
			caps[0].Effective &^= bit
			_ = unix.Capset(&hdr, &caps[0]) // on failure: a socket with the capability, as before
		}
		c, err := dial()
		done <- result{c, err}
	}()
	r := <-done
	return r.c, r.err
}
