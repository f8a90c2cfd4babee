package sockdiag

import (
	"errors"
	"fmt"

	"github.com/porttop/porttop/sampler"
)

// sockDestroy is SOCK_DESTROY (linux/sock_diag.h): close one socket in the
// kernel, as `ss -K` does. The kernel needs CAP_NET_ADMIN and
// CONFIG_INET_DIAG_DESTROY.
const sockDestroy = 21

// nlmFAck is NLM_F_ACK: the kernel answers with an NLMSG_ERROR carrying 0 on
// success.
const nlmFAck = 0x4

// appendDestroy appends a SOCK_DESTROY request for s: family, protocol and
// its exact socket id, the cookie when the source had one (so a socket that
// reused the addresses is never the one closed), else no cookie.
func appendDestroy(buf []byte, seq uint32, s *sampler.Socket) ([]byte, error) {
	var protocol uint8
	switch s.Proto {
	case sampler.TCP:
		protocol = ipprotoTCP
	case sampler.UDP:
		protocol = ipprotoUDP
	default:
		return buf, fmt.Errorf("protocol %v cannot be closed", s.Proto)
	}
	if !s.Local.IsValid() {
		return buf, errors.New("the socket has no local address")
	}
	family := uint8(afInet)
	if s.Local.Addr().Is6() {
		family = afInet6
	}
	buf, r := appendHeader(buf, sockDestroy, nlmFRequest|nlmFAck, seq, reqV2Len, nil)
	r[0], r[1] = family, protocol
	order.PutUint32(r[4:8], 0xffffffff) // every state
	id := r[8 : 8+sockIDLen]
	putSockID(id, s.Local, s.Remote, 0, s.Cookie)
	if s.Cookie == 0 {
		putNoCookie(id)
	}
	return buf, nil
}

// parseAck reads the kernel's answer to a request sent with NLM_F_ACK: nil
// for success, else the errno it carries (a Linux errno number).
func parseAck(b []byte, seq uint32) (errno int32, err error) {
	for len(b) >= nlmsgHdrLen {
		n := int(order.Uint32(b[0:4]))
		if n < nlmsgHdrLen || n > len(b) {
			return 0, fmt.Errorf("netlink message of %d bytes in a %d-byte reply", n, len(b))
		}
		typ, got := order.Uint16(b[4:6]), order.Uint32(b[8:12])
		if got == seq && typ == nlmsgError {
			if n < nlmsgHdrLen+4 {
				return 0, errShort("nlmsgerr", n, nlmsgHdrLen+4)
			}
			return -int32(order.Uint32(b[nlmsgHdrLen : nlmsgHdrLen+4])), nil
		}
		b = b[min(align4(n), len(b)):]
	}
	return 0, errors.New("no answer to the request in the kernel's reply")
}

// destroyError says in a user's words why the kernel refused to close a
// socket (errno as Linux numbers it).
func destroyError(errno int32) error {
	switch errno {
	case 0:
		return nil
	case 1, 13: // EPERM, EACCES
		return errors.New("closing a connection needs root (CAP_NET_ADMIN)")
	case 2: // ENOENT
		return errors.New("the connection is already gone")
	case 95: // EOPNOTSUPP
		return errors.New("this kernel cannot close sockets (it lacks CONFIG_INET_DIAG_DESTROY)")
	}
	return fmt.Errorf("the kernel refused to close the connection (errno %d)", errno)
}
