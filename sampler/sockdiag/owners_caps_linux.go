package sockdiag

import "golang.org/x/sys/unix"

// Capabilities that let a non-root user read every /proc/PID/fd, as the
// README advises granting: reading another user's fd links needs both.
const (
	capDacReadSearch = 2  // CAP_DAC_READ_SEARCH
	capSysPtrace     = 19 // CAP_SYS_PTRACE
)

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
func (o *owners) privileged() bool { return o.euid == 0 || o.capable }

// inspectCaps reports whether an effective capability set (the low 32
// capabilities) holds both that reading every /proc/PID/fd needs.
func inspectCaps(effective uint32) bool {
	need := uint32(1)<<capDacReadSearch | uint32(1)<<capSysPtrace
	return effective&need == need
}
