package procowner

// Capabilities that let a non-root user read every /proc/PID/fd, as the
// README advises granting: reading another user's fd links needs both.
const (
	capDacReadSearch = 2  // CAP_DAC_READ_SEARCH
	capSysPtrace     = 19 // CAP_SYS_PTRACE
)

// inspectCaps reports whether an effective capability set (the low 32
// capabilities) holds both that reading every /proc/PID/fd needs.
func inspectCaps(effective uint32) bool {
	need := uint32(1)<<capDacReadSearch | uint32(1)<<capSysPtrace
	return effective&need == need
}
