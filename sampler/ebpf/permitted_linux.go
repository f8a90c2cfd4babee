//go:build linux

package ebpf

import "os"

// Permitted reports whether this process may load the programs, without
// trying: root, or the capabilities capsPermit names.
func Permitted() bool {
	if os.Geteuid() == 0 {
		return true
	}
	b, err := os.ReadFile("/proc/self/status")
	return err == nil && capsPermit(string(b))
}
