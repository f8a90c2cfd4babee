package sockdiag

import "github.com/porttop/porttop/sampler"

// inet_diag bytecode opcodes (enum in linux/inet_diag.h) and the size of one
// struct inet_diag_bc_op {u8 code; u8 yes; u16 no}.
const (
	bcJmp  = 1 // INET_DIAG_BC_JMP: always take "no"
	bcSGE  = 2 // INET_DIAG_BC_S_GE: local port >= next op's "no"
	bcSLE  = 3 // INET_DIAG_BC_S_LE
	bcDGE  = 4 // INET_DIAG_BC_D_GE: remote port >= next op's "no"
	bcDLE  = 5 // INET_DIAG_BC_D_LE
	bcOpSz = 4
	// A port comparison is the op followed by a second op carrying the port.
	bcCmpSz = 2 * bcOpSz
	// One alternative: GE, LE, then a jump to the end (accept).
	bcAltSz = 2*bcCmpSz + bcOpSz

	// maxFilterRanges bounds the program the kernel is asked to run; a query
	// with more ranges is filtered in user space by the consumer instead.
	maxFilterRanges = 64
)

// portFilter compiles "local or remote port in any of ranges" into inet_diag
// bytecode, or returns nil when no kernel filter should be used (no ranges, or
// too many). The kernel runs the program per socket: each op jumps "yes" bytes
// ahead when its test holds and "no" bytes ahead otherwise; a socket matches
// when the program ends exactly at its end, and is rejected by a jump 4 bytes
// past it. Each range becomes two alternatives (local, remote); a failed
// alternative falls to the next, a passed one jumps to the end.
func portFilter(ranges []sampler.PortRange) []byte {
	if len(ranges) == 0 || len(ranges) > maxFilterRanges {
		return nil
	}
	alts := 2 * len(ranges)
	total := alts*bcAltSz - bcOpSz // the last alternative needs no jump: it falls off the end
	b := make([]byte, 0, total)
	for i, r := range ranges {
		for side := 0; side < 2; side++ {
			ge, le := uint8(bcSGE), uint8(bcSLE)
			if side == 1 {
				ge, le = bcDGE, bcDLE
			}
			start := len(b)
			last := 2*i+side == alts-1
			next := start + bcAltSz // where a failed test goes
			if last {
				next = total + bcOpSz // reject
			}
			b = appendCmp(b, ge, r.Lo, next-len(b))
			b = appendCmp(b, le, r.Hi, next-len(b))
			if !last {
				b = appendOp(b, bcJmp, bcOpSz, uint16(total-len(b)))
			}
		}
	}
	return b
}

func appendCmp(b []byte, code uint8, port uint16, no int) []byte {
	b = appendOp(b, code, bcCmpSz, uint16(no))
	return appendOp(b, 0, 0, port) // the operand op: only "no" is read
}

func appendOp(b []byte, code, yes uint8, no uint16) []byte {
	return order.AppendUint16(append(b, code, yes), no) // "no" is a host-order u16
}
