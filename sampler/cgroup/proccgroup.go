package cgroup

import (
	"errors"
	"strings"
)

// ParseProcCgroup reads the cgroup v2 path from a /proc/PID/cgroup listing:
// the "0::PATH" line.
func ParseProcCgroup(s string) (string, error) {
	for _, line := range strings.Split(s, "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			return p, nil
		}
	}
	return "", errors.New("no cgroup v2 line (0::) in /proc/PID/cgroup")
}
