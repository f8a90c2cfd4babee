package sockdiag

// inetDiagCgroupID is INET_DIAG_CGROUP_ID (Linux 5.7+): a u64 attribute the
// kernel puts in every full socket's record unasked (what `ss --cgroup`
// prints), the cgroup v2 id of the socket's cgroup. TIME_WAIT and
// request sockets have no attributes, so none.
const inetDiagCgroupID = 21

// attrU64 finds an 8-byte netlink attribute of type typ after the fixed
// inet_diag_msg in payload; 0 when absent or short.
func attrU64(payload []byte, typ uint16) uint64 {
	if len(payload) < diagMsgLen {
		return 0
	}
	a := payload[diagMsgLen:]
	for len(a) >= nlaHdrLen {
		n := int(order.Uint16(a[0:2]))
		if n < nlaHdrLen || n > len(a) {
			return 0
		}
		if order.Uint16(a[2:4])&0x3fff == typ {
			if n < nlaHdrLen+8 {
				return 0
			}
			return order.Uint64(a[nlaHdrLen : nlaHdrLen+8])
		}
		next := align4(n)
		if next > len(a) {
			return 0
		}
		a = a[next:]
	}
	return 0
}
