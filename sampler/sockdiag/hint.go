package sockdiag

// HiddenHint is the sentence shown when owners are hidden.
const HiddenHint = "run as root (sudo porttop) or grant CAP_SYS_PTRACE to see every process"
