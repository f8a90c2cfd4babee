// Package caps reads a process's effective Linux capabilities from the
// text of /proc/PID/status, so that a source can say, without trying,
// whether it may do what it needs (load BPF programs, enter another
// network namespace). The parser runs on any OS.
package caps

import (
	"bufio"
	"strconv"
	"strings"
)

// Capability numbers (linux/capability.h), spelled out so the parser
// builds everywhere.
const (
	NetAdmin = 12
	SysAdmin = 21
	Perfmon  = 38
	BPF      = 39
)

// Set is a capability bit set, as CapEff holds it.
type Set uint64

// Has reports whether every capability named is in s.
func (s Set) Has(bits ...uint) bool {
	for _, b := range bits {
		if s&(1<<b) == 0 {
			return false
		}
	}
	return true
}

// Effective reads the CapEff line of a /proc/PID/status text; ok is false
// when there is none or it does not parse.
func Effective(status string) (s Set, ok bool) {
	sc := bufio.NewScanner(strings.NewReader(status))
	for sc.Scan() {
		v, found := strings.CutPrefix(sc.Text(), "CapEff:")
		if !found {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err != nil {
			return 0, false
		}
		return Set(n), true
	}
	return 0, false
}
