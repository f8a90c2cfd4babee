package sockdiag

import (
	"fmt"
	"syscall"
)

// nlMsg is one netlink message inside a receive buffer.
type nlMsg struct {
	Type    uint16
	Flags   uint16
	Seq     uint32
	Payload []byte
}

// nextMsg splits the first netlink message off b. It never reads past b.
func nextMsg(b []byte) (m nlMsg, rest []byte, err error) {
	if len(b) < nlmsgHdrLen {
		return nlMsg{}, nil, errShort("netlink header", len(b), nlmsgHdrLen)
	}
	n := int(order.Uint32(b[0:4]))
	if n < nlmsgHdrLen || n > len(b) {
		return nlMsg{}, nil, fmt.Errorf("sock_diag: netlink message length %d outside 16..%d", n, len(b))
	}
	m = nlMsg{
		Type:    order.Uint16(b[4:6]),
		Flags:   order.Uint16(b[6:8]),
		Seq:     order.Uint32(b[8:12]),
		Payload: b[nlmsgHdrLen:n],
	}
	next := align4(n)
	if next > len(b) {
		next = len(b)
	}
	return m, b[next:], nil
}

// errnoOf decodes the payload of NLMSG_ERROR (a negative errno, 0 for an
// acknowledgement) or of NLMSG_DONE (an int, negative when the dump failed).
func errnoOf(payload []byte) (syscall.Errno, error) {
	if len(payload) < 4 {
		return 0, errShort("netlink error", len(payload), 4)
	}
	e := int32(order.Uint32(payload[0:4]))
	if e >= 0 {
		return 0, nil
	}
	return syscall.Errno(-e), nil
}

// parseDump walks one receive buffer of a dump with sequence number seq,
// calling fn for each socket. done is true once NLMSG_DONE arrived; intr is
// true when any message carried NLM_F_DUMP_INTR. Messages of another sequence
// (left over from an abandoned dump) are skipped.
func parseDump(b []byte, seq uint32, fn func(diagMsg)) (done, intr bool, err error) {
	for len(b) > 0 {
		var m nlMsg
		if m, b, err = nextMsg(b); err != nil {
			return false, intr, err
		}
		if m.Seq != seq {
			continue
		}
		if m.Flags&nlmFDumpIntr != 0 {
			intr = true
		}
		switch m.Type {
		case nlmsgDone:
			if len(m.Payload) >= 4 { // older kernels may send an empty DONE
				errno, err := errnoOf(m.Payload)
				if err != nil {
					return true, intr, err
				}
				if errno != 0 {
					return true, intr, fmt.Errorf("sock_diag dump: %w", errno)
				}
			}
			return true, intr, nil
		case nlmsgError:
			errno, err := errnoOf(m.Payload)
			if err != nil {
				return true, intr, err
			}
			if errno != 0 {
				return true, intr, fmt.Errorf("sock_diag dump: %w", errno)
			}
		case sockDiagByFamily, tcpDiagGetSock:
			d, err := parseDiagMsg(m.Payload)
			if err != nil {
				return false, intr, err
			}
			fn(d)
		}
	}
	return false, intr, nil
}

// attrU8 finds a one-byte netlink attribute of type typ after the fixed
// inet_diag_msg in payload.
func attrU8(payload []byte, typ uint16) (uint8, bool) {
	if len(payload) < diagMsgLen {
		return 0, false
	}
	a := payload[diagMsgLen:]
	for len(a) >= nlaHdrLen {
		n := int(order.Uint16(a[0:2]))
		t := order.Uint16(a[2:4]) & 0x3fff // strip NLA_F_NESTED / NET_BYTEORDER
		if n < nlaHdrLen || n > len(a) {
			return 0, false
		}
		if t == typ && n > nlaHdrLen {
			return a[nlaHdrLen], true
		}
		next := align4(n)
		if next > len(a) {
			break
		}
		a = a[next:]
	}
	return 0, false
}
