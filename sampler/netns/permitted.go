package netns

import (
	"bufio"
	"strconv"
	"strings"
)

// Linux capability numbers (linux/capability.h), spelled out so the
// parser runs on any OS.
const (
	capNetAdmin = 12
	capSysAdmin = 21
)

// capsPermit reads a /proc/PID/status text and reports whether its
// effective capabilities let porttop read every network namespace:
// CAP_SYS_ADMIN (setns) with CAP_NET_ADMIN (the destroy groups).
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
		return caps&(1<<capSysAdmin) != 0 && caps&(1<<capNetAdmin) != 0
	}
	return false
}
