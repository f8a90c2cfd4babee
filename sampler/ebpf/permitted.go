package ebpf

import (
	"bufio"
	"strconv"
	"strings"
)

// Capability bits (linux/capability.h).
const (
	capSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

// capsPermit reads a /proc/PID/status text and reports whether its
// effective capabilities allow loading porttop's programs: CAP_BPF with
// CAP_PERFMON (Linux 5.8+), or CAP_SYS_ADMIN.
func capsPermit(status string) bool {
	sc := bufio.NewScanner(strings.NewReader(status))
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "CapEff:")
		if !ok {
			continue
		}
		caps, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err != nil {
			return false
		}
		has := func(bit uint) bool { return caps&(1<<bit) != 0 }
		return has(capSysAdmin) || (has(capBPF) && has(capPerfmon))
	}
	return false
}
