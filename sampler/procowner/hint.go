package procowner

// HiddenHint is the sentence shown when owners are hidden. Both capabilities
// are needed on current kernels: CAP_DAC_READ_SEARCH to list another user's
// /proc/<pid>/fd, CAP_SYS_PTRACE to read its links.
const HiddenHint = "run as root (sudo porttop) or grant CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH to see every process"
