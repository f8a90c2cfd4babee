package sockdiag

import (
	"encoding/binary"
	"net/netip"

	"github.com/porttop/porttop/sampler"
)

// Netlink and inet_diag numbers from the kernel's uapi headers
// (linux/netlink.h, linux/sock_diag.h, linux/inet_diag.h). They are spelled
// out here rather than taken from x/sys/unix so that the parsers build on
// every OS.
const (
	nlmsgHdrLen = 16 // struct nlmsghdr
	nlmsgAlign  = 4

	nlmsgError = 0x2 // NLMSG_ERROR
	nlmsgDone  = 0x3 // NLMSG_DONE

	nlmFRequest  = 0x1   // NLM_F_REQUEST
	nlmFMulti    = 0x2   // NLM_F_MULTI
	nlmFDumpIntr = 0x10  // NLM_F_DUMP_INTR: the table changed during the dump
	nlmFDump     = 0x300 // NLM_F_ROOT|NLM_F_MATCH

	sockDiagByFamily = 20 // SOCK_DIAG_BY_FAMILY
	// tcpDiagGetSock is the older TCPDIAG_GETSOCK request (struct
	// inet_diag_req): the kernel dumps it with family AF_UNSPEC, so one walk
	// of the TCP hash tables yields IPv4 and IPv6 sockets, where
	// SOCK_DIAG_BY_FAMILY needs a walk per family. Replies carry this type.
	tcpDiagGetSock = 18

	afInet  = 2
	afInet6 = 10

	ipprotoTCP = 6
	ipprotoUDP = 17

	// struct inet_diag_sockid: sport, dport (big-endian), src[4], dst[4]
	// (big-endian), if, cookie[2] (host order).
	sockIDLen = 48
	// struct inet_diag_req_v2: family, protocol, ext, pad, states, sockid.
	reqV2Len = 8 + sockIDLen
	// struct inet_diag_req: family, src_len, dst_len, ext, sockid, states, dbs.
	reqV1Len = 4 + sockIDLen + 8
	// struct inet_diag_msg: family, state, timer, retrans, sockid, expires,
	// rqueue, wqueue, uid, inode.
	diagMsgLen = 4 + sockIDLen + 20

	inetDiagReqBytecode = 1  // INET_DIAG_REQ_BYTECODE request attribute
	inetDiagProtocol    = 10 // INET_DIAG_PROTOCOL reply attribute (u8)
	inetDiagSkV6Only    = 11 // INET_DIAG_SKV6ONLY reply attribute (u8)

	nlaHdrLen = 4 // struct nlattr
)

// order is the byte order of netlink headers and host-order fields: the
// host's. Captured test data is little-endian; tests skip on big-endian hosts.
var order = binary.NativeEndian

func align4(n int) int { return (n + nlmsgAlign - 1) &^ (nlmsgAlign - 1) }

// diagMsg is the part of struct inet_diag_msg porttop uses.
type diagMsg struct {
	Family uint8
	State  uint8
	Local  netip.AddrPort
	Remote netip.AddrPort
	If     uint32
	Cookie uint64
	UID    uint32
	Inode  uint32
	V6Only bool // an IPv6 listener with IPV6_V6ONLY
	// CgroupID is INET_DIAG_CGROUP_ID (cgroupid.go), 0 when absent.
	CgroupID uint64
	// Timer and ExpiresMS are idiag_timer (3: the TIME_WAIT timer) and
	// idiag_expires, the milliseconds left on it.
	Timer     uint8
	ExpiresMS uint32
}

// parseDiagMsg decodes a struct inet_diag_msg (the first diagMsgLen bytes of
// b). Addresses come back unmapped, as sampler IDs require.
func parseDiagMsg(b []byte) (diagMsg, error) {
	if len(b) < diagMsgLen {
		return diagMsg{}, errShort("inet_diag_msg", len(b), diagMsgLen)
	}
	m := diagMsg{Family: b[0], State: b[1], Timer: b[2]}
	id := b[4 : 4+sockIDLen]
	sport := binary.BigEndian.Uint16(id[0:2])
	dport := binary.BigEndian.Uint16(id[2:4])
	switch m.Family {
	case afInet:
		m.Local = netip.AddrPortFrom(netip.AddrFrom4([4]byte(id[4:8])), sport)
		m.Remote = netip.AddrPortFrom(netip.AddrFrom4([4]byte(id[20:24])), dport)
	case afInet6:
		m.Local = sampler.Unmap(netip.AddrPortFrom(netip.AddrFrom16([16]byte(id[4:20])), sport))
		m.Remote = sampler.Unmap(netip.AddrPortFrom(netip.AddrFrom16([16]byte(id[20:36])), dport))
	default:
		return diagMsg{}, errFamily(m.Family)
	}
	m.If = order.Uint32(id[36:40])
	m.Cookie = uint64(order.Uint32(id[40:44])) | uint64(order.Uint32(id[44:48]))<<32
	tail := b[4+sockIDLen:]
	m.ExpiresMS = order.Uint32(tail[0:4])
	m.UID = order.Uint32(tail[12:16])
	m.Inode = order.Uint32(tail[16:20])
	if m.Family == afInet6 && m.State == uint8(sampler.StateListen) { // the kernel says it for listeners
		v6only, _ := attrU8(b, inetDiagSkV6Only)
		m.V6Only = v6only != 0
	}
	m.CgroupID = attrU64(b, inetDiagCgroupID)
	return m, nil
}

// putSockID writes a struct inet_diag_sockid for an exact lookup.
func putSockID(b []byte, local, remote netip.AddrPort, ifIndex uint32, cookie uint64) {
	binary.BigEndian.PutUint16(b[0:2], local.Port())
	binary.BigEndian.PutUint16(b[2:4], remote.Port())
	putAddr(b[4:20], local.Addr())
	putAddr(b[20:36], remote.Addr())
	order.PutUint32(b[36:40], ifIndex)
	order.PutUint32(b[40:44], uint32(cookie))
	order.PutUint32(b[44:48], uint32(cookie>>32))
}

// putNoCookie sets a socket id's cookie to INET_DIAG_NOCOOKIE (both words
// all ones): an exact lookup then matches on the addresses alone.
func putNoCookie(id []byte) {
	order.PutUint32(id[40:44], 0xffffffff)
	order.PutUint32(id[44:48], 0xffffffff)
}

func putAddr(b []byte, a netip.Addr) {
	clear(b)
	if a.Is4() {
		v := a.As4()
		copy(b, v[:])
		return
	}
	v := a.As16()
	copy(b, v[:])
}

// appendRequest appends one SOCK_DIAG_BY_FAMILY request: a dump of family and
// protocol limited to states (and to the bytecode filter, when not empty), or,
// with dump false, an exact lookup of the socket id.
func appendRequest(buf []byte, seq uint32, dump bool, family, protocol uint8, states uint32, id []byte, bytecode []byte) []byte {
	flags := uint16(nlmFRequest)
	if dump {
		flags |= nlmFDump
	}
	buf, r := appendHeader(buf, sockDiagByFamily, flags, seq, reqV2Len, bytecode)
	r[0], r[1], r[2] = family, protocol, 0 // idiag_ext 0: no extensions
	order.PutUint32(r[4:8], states)
	copy(r[8:8+sockIDLen], id)
	return buf
}

// appendTCPDump appends a TCPDIAG_GETSOCK dump of TCP sockets of both
// families in states (and matching bytecode, when not empty).
func appendTCPDump(buf []byte, seq uint32, states uint32, bytecode []byte) []byte {
	buf, r := appendHeader(buf, tcpDiagGetSock, nlmFRequest|nlmFDump, seq, reqV1Len, bytecode)
	// family, src_len, dst_len, ext and the socket id stay zero.
	order.PutUint32(r[4+sockIDLen:], states)
	return buf
}

// appendHeader appends a netlink header, room for a fixed request of reqLen
// bytes (returned, zeroed, for the caller to fill) and the bytecode attribute.
func appendHeader(buf []byte, typ, flags uint16, seq uint32, reqLen int, bytecode []byte) ([]byte, []byte) {
	n := nlmsgHdrLen + reqLen
	if len(bytecode) > 0 {
		n += nlaHdrLen + len(bytecode)
	}
	start := len(buf)
	buf = append(buf, make([]byte, align4(n))...)
	b := buf[start:]
	order.PutUint32(b[0:4], uint32(n))
	order.PutUint16(b[4:6], typ)
	order.PutUint16(b[6:8], flags)
	order.PutUint32(b[8:12], seq)
	// nlmsg_pid 0: the kernel fills in our port id.
	if len(bytecode) > 0 {
		a := b[nlmsgHdrLen+reqLen:]
		order.PutUint16(a[0:2], uint16(nlaHdrLen+len(bytecode)))
		order.PutUint16(a[2:4], inetDiagReqBytecode)
		copy(a[nlaHdrLen:], bytecode)
	}
	return buf, b[nlmsgHdrLen : nlmsgHdrLen+reqLen]
}
