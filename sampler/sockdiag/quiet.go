package sockdiag

import "bytes"

// appendSignature appends what, in the kernel's counters, moves whenever the
// TCP or UDP socket table can have changed: the Tcp value line of
// /proc/net/snmp (connections opened, failed, reset, established, segments
// in and out: any TCP state change sends or receives a segment) and the
// TCP and UDP lines of /proc/net/sockstat and sockstat6 (sockets hashed,
// orphaned, in TIME_WAIT, allocated: a new listener or bound UDP socket, a
// close). Two equal signatures mean the table is as it was.
func appendSignature(dst, snmp, sockstat, sockstat6 []byte) []byte {
	tcp := 0
	for line := range bytes.Lines(snmp) {
		if bytes.HasPrefix(line, []byte("Tcp:")) {
			if tcp++; tcp == 2 { // the first Tcp: line holds the names
				dst = append(dst, line...)
			}
		}
	}
	for _, f := range [][]byte{sockstat, sockstat6} {
		for line := range bytes.Lines(f) {
			if bytes.HasPrefix(line, []byte("TCP")) || bytes.HasPrefix(line, []byte("UDP")) {
				dst = append(dst, line...)
			}
		}
	}
	return dst
}
