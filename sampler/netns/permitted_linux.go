//go:build linux

package netns

import "os"

// Permitted reports whether this process may read every network namespace
// without trying: root, or CAP_SYS_ADMIN with CAP_NET_ADMIN.
func Permitted() bool {
	if os.Geteuid() == 0 {
		return true
	}
	b, err := os.ReadFile(ProcDir + "/self/status")
	return err == nil && capsPermit(string(b))
}
