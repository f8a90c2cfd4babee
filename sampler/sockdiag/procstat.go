package sockdiag

import (
	"bytes"
	"strconv"
)

// parseStatStart reads a process's start time (field 22 of /proc/PID/stat,
// in clock ticks since boot) from that file's contents. It tells a pid
// reused by a new process from the old one, whatever either is called. The
// name (field 2) is in parentheses and may hold spaces and parentheses
// itself, so the fields are counted from the last ')'.
func parseStatStart(b []byte) (uint64, bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	fields := bytes.Fields(b[i+1:]) // fields[0] is field 3, the state
	const startField = 22 - 3
	if len(fields) <= startField {
		return 0, false
	}
	n, err := strconv.ParseUint(string(fields[startField]), 10, 64)
	return n, err == nil
}
