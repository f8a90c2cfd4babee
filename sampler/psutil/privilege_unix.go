//go:build unix

package psutil

import "os"

const privilegeHint = "run as root (sudo porttop) to see every process"

// privileged reports whether this process can see every process's sockets.
func privileged() bool { return os.Geteuid() == 0 }
