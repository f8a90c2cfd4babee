package procowner

import (
	"bytes"
	"strconv"
)

// parseStat reads a process's name (field 2, comm) and start time (field
// 22, in clock ticks since boot) from the contents of /proc/PID/stat: one
// read tells what a pid runs and, by the start time, a pid reused by a new
// process from the old one, whatever either is called. The name is in
// parentheses and may hold spaces and parentheses itself, so it runs to the
// last ')' and the other fields are counted from there.
func parseStat(b []byte) (name string, start uint64, ok bool) {
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return "", 0, false
	}
	fields := bytes.Fields(b[end+1:]) // fields[0] is field 3, the state
	const startField = 22 - 3
	if len(fields) <= startField {
		return "", 0, false
	}
	start, err := strconv.ParseUint(string(fields[startField]), 10, 64)
	if err != nil {
		return "", 0, false
	}
	return string(b[open+1 : end]), start, true
}
