package sockdiag

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// toSocket converts a kernel record. UDP has no connection states: it is
// reported as StateNone (the kernel says CLOSE or ESTABLISHED for unconnected
// and connected UDP sockets). TIME_WAIT sockets have no owner left, so their
// UID is unknown (-1) rather than the 0 the kernel fills in.
func toSocket(m diagMsg, p sampler.Proto) sampler.Socket {
	s := sampler.Socket{
		ID:     sampler.ID{Cookie: m.Cookie, Proto: p, Local: m.Local, Remote: m.Remote},
		State:  sampler.State(m.State),
		Owner:  sampler.Owner{UID: int32(m.UID)},
		Inode:  m.Inode,
		V6Only: m.V6Only,
	}
	s.CgroupID = m.CgroupID
	if p == sampler.UDP {
		s.State = sampler.StateNone
	}
	if s.State == sampler.StateTimeWait {
		s.UID = -1
	}
	return s
}

// timerTimeWait is idiag_timer's value for the TIME_WAIT timer
// (inet_diag_twsk in the kernel), the only one porttop reads.
const timerTimeWait = 3

// toSocketAt is toSocket for a record read at at: a TIME_WAIT socket also
// gets when its timer frees it (idiag_expires after at).
func toSocketAt(m diagMsg, p sampler.Proto, at time.Time) sampler.Socket {
	s := toSocket(m, p)
	if s.State == sampler.StateTimeWait && m.Timer == timerTimeWait {
		s.TimeWaitEnds = sampler.StampOf(at.Add(time.Duration(m.ExpiresMS) * time.Millisecond))
	}
	return s
}

// released is one destroy report, with what an exact lookup needs.
type released struct {
	rel              sampler.Release
	family, protocol uint8
	id               [sockIDLen]byte
}

// parseRelease reads one destroy report. Reports carry no uid or inode.
func parseRelease(m nlMsg, at time.Time) (released, bool) {
	if m.Type != sockDiagByFamily {
		return released{}, false
	}
	d, err := parseDiagMsg(m.Payload)
	if err != nil {
		return released{}, false
	}
	protocol, ok := attrU8(m.Payload, inetDiagProtocol)
	if !ok {
		return released{}, false
	}
	var p sampler.Proto
	switch protocol {
	case ipprotoTCP:
		p = sampler.TCP
	case ipprotoUDP:
		p = sampler.UDP
	default:
		return released{}, false
	}
	r := released{family: d.Family, protocol: protocol}
	copy(r.id[:], m.Payload[4:4+sockIDLen])
	r.rel = sampler.Release{At: at, Socket: toSocket(d, p)}
	r.rel.Socket.UID = -1
	return r, true
}
