package sockdiag

import (
	"bytes"
	"slices"
)

// appendSignature appends what, in the kernel's counters, moves whenever the
// TCP or UDP socket table of one network namespace can have changed: the
// Tcp value line of /proc/net/snmp (connections opened, failed, reset,
// established, segments in and out: any TCP state change sends or
// receives a segment) and the sockets hashed (inuse) and in TIME_WAIT (tw)
// of the TCP and UDP lines of /proc/net/sockstat and sockstat6: a new
// listener or bound UDP socket, a close. Two equal signatures mean the
// table is as it was.
//
// The machine-wide fields of those lines (orphan, alloc, mem: sums over
// every namespace) are left out: they add nothing the namespace's own
// fields miss (an orphan sends a FIN, an unhashed socket is in no dump),
// and would let any other namespace's traffic wake a quiet one.
func appendSignature(dst, snmp, sockstat, sockstat6 []byte) []byte {
	return appendSignatureOf(dst, snmp, sockstat, sockstat6, "inuse", "tw")
}

// AppendSignature appends the signature Quiet compares (see
// appendSignature) for a caller that reads the counter files itself.
func AppendSignature(dst, snmp, sockstat, sockstat6 []byte) []byte {
	return appendSignature(dst, snmp, sockstat, sockstat6)
}

// AppendEstablishedSignature appends the part of the signature that moves
// whenever a TCP socket other than a listener can have come, gone or
// changed state: the Tcp value line of snmp and the TIME_WAIT count. A new
// or closed listener, or any UDP change, moves only the inuse counts, which
// it leaves out: while it holds still, a dump of listeners and UDP
// sockets, which skips the kernel's established hash, completes the
// table's other TCP sockets as last dumped.
func AppendEstablishedSignature(dst, snmp, sockstat, sockstat6 []byte) []byte {
	return appendSignatureOf(dst, snmp, sockstat, sockstat6, "tw")
}

func appendSignatureOf(dst, snmp, sockstat, sockstat6 []byte, fields ...string) []byte {
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
				dst = appendFields(dst, line, fields)
			}
		}
	}
	return dst
}

// appendFields appends a sockstat line ("TCP: inuse 1 orphan 0 tw 3
// alloc 2 mem 1") with only the named fields.
func appendFields(dst, line []byte, fields []string) []byte {
	f := bytes.Fields(line)
	if len(f) == 0 {
		return dst
	}
	dst = append(dst, f[0]...)
	for i := 1; i+1 < len(f); i += 2 {
		if slices.Contains(fields, string(f[i])) {
			dst = append(dst, ' ')
			dst = append(dst, f[i]...)
			dst = append(dst, ' ')
			dst = append(dst, f[i+1]...)
		}
	}
	return append(dst, '\n')
}
