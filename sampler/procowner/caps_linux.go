package procowner

import "golang.org/x/sys/unix"

// mayInspectAll reports whether this process, though not root, holds both
// capabilities in its effective set, so every process's owners can be read.
func mayInspectAll() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	return inspectCaps(data[0].Effective)
}

// privileged: root, or granted what reading every process's fds needs.
func (o *Resolver) privileged() bool { return o.euid == 0 || o.capable }
