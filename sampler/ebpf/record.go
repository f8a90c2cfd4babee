package ebpf

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"

	"github.com/porttop/porttop/sampler"
)

// The record every program writes to the ring buffer. Numbers are in the
// host's byte order (the kernel writes them; Decode reads binary.NativeEndian),
// addresses in network order.
// The kernel programs in prog_linux.go write exactly these offsets.
const (
	offKtime   = 0   // u64 bpf_ktime_get_ns (CLOCK_MONOTONIC)
	offSkaddr  = 8   // u64 kernel address of the socket (state records)
	offPidTgid = 16  // u64 tgid<<32 | pid
	offUidGid  = 24  // u64 gid<<32 | uid
	offCgroup  = 32  // u64 cgroup v2 id
	offKind    = 40  // u32 kindState, kindConnect, kindBind
	offOld     = 44  // i32 old state
	offNew     = 48  // i32 new state
	offRet     = 52  // i32 the failed call's return value (-errno)
	offSport   = 56  // u16 host order
	offDport   = 58  // u16 host order
	offFamily  = 60  // u16 AF_INET or AF_INET6
	offProto   = 62  // u16 IPPROTO_TCP
	offSaddr4  = 64  // [4]
	offDaddr4  = 68  // [4]
	offSaddr6  = 72  // [16]
	offDaddr6  = 88  // [16]
	offComm    = 104 // [16]
	offNetns   = 120 // u32 network namespace inode number, 0 if unknown
	// 124..128 reserved
	offSockaddr = 128 // [32] the sockaddr the failed call was given (failure records)
	offCookie   = 128 // u64 the socket cookie, 0 if unknown (state records)
	recordSize  = 160
)

// Record kinds.
const (
	kindState   = 1
	kindConnect = 2
	kindBind    = 3
	// kindTimeWait: a closing socket handed to a timewait socket
	// (timewait_linux.go): skaddr, cookie, new state (the substate), ret
	// (timeo, jiffies), ktime and netns only.
	kindTimeWait = 4
)

const (
	afInet  = 2
	afInet6 = 10
)

// InProcess reports whether the kernel makes a transition only inside a
// system call of the socket's own process, so that the process running when
// the tracepoint fires is the one acting: connect (CLOSE -> SYN_SENT), listen
// (CLOSE -> LISTEN) and close or shutdown (LISTEN -> CLOSE, ESTABLISHED or
// SYN_RECV -> FIN_WAIT1, CLOSE_WAIT -> LAST_ACK). Every other transition can
// happen as a packet arrives or a timer fires, in whichever task the CPU
// happened to be running (on loopback, often the peer): its process is not
// reported. (A BPF tracepoint program cannot read the trace entry's
// interrupt flags; the verifier forbids its first 8 bytes.)
func InProcess(from, to sampler.State) bool {
	switch {
	case from == sampler.StateClose && (to == sampler.StateSynSent || to == sampler.StateListen),
		from == sampler.StateListen && to == sampler.StateClose,
		(from == sampler.StateEstablished || from == sampler.StateSynRecv) && to == sampler.StateFinWait1,
		from == sampler.StateCloseWait && to == sampler.StateLastAck:
		return true
	}
	return false
}

// Clock turns the kernel's monotonic nanoseconds into wall time: wall =
// Base + (ktime - Mono), with Base and Mono read together at start.
type Clock struct {
	Base time.Time
	Mono int64
}

// Wall is the wall time of a kernel timestamp.
func (c Clock) Wall(ktime uint64) time.Time {
	return c.Base.Add(time.Duration(int64(ktime) - c.Mono))
}

// Decode reads one ring-buffer record into tr (a transition) or pf (a failed
// hand-out, isFailure true); it allocates nothing but the process name. It
// never panics on bad input: a short or unknown record is an error.
func Decode(b []byte, c Clock, tr *sampler.Transition, pf *sampler.PortFailure) (isFailure bool, err error) {
	return decode(b, c, nil, tr, pf)
}

// Decoder decodes records as Decode does, keeping the process names it
// has made so that decoding allocates nothing once a name was seen.
type Decoder struct {
	Clock Clock
	comms map[[16]byte]string
}

// maxComms bounds a Decoder's names; past it they are all dropped.
const maxComms = 4096

// Decode is the package's Decode with the decoder's clock and names.
func (d *Decoder) Decode(b []byte, tr *sampler.Transition, pf *sampler.PortFailure) (isFailure bool, err error) {
	if d.comms == nil || len(d.comms) >= maxComms {
		d.comms = make(map[[16]byte]string, 64)
	}
	return decode(b, d.Clock, d.comms, tr, pf)
}

func decode(b []byte, c Clock, comms map[[16]byte]string, tr *sampler.Transition, pf *sampler.PortFailure) (isFailure bool, err error) {
	if len(b) < recordSize {
		return false, fmt.Errorf("ebpf record: %d bytes, want %d", len(b), recordSize)
	}
	le := binary.NativeEndian
	actor := func(inProcess bool) sampler.Actor {
		if !inProcess {
			return sampler.Actor{}
		}
		pt := le.Uint64(b[offPidTgid:])
		return sampler.Actor{
			Known:    true,
			PID:      int32(pt >> 32),
			TID:      int32(uint32(pt)),
			UID:      uint32(le.Uint64(b[offUidGid:])),
			CgroupID: le.Uint64(b[offCgroup:]),
			Comm:     comm(b[offComm:offComm+16], comms),
		}
	}
	at := c.Wall(le.Uint64(b[offKtime:]))
	switch kind := le.Uint32(b[offKind:]); kind {
	case kindState:
		fam := le.Uint16(b[offFamily:])
		src, dst, ok := recordAddrs(b, fam)
		if !ok {
			return false, fmt.Errorf("ebpf record: family %d", fam)
		}
		from, to := int32(le.Uint32(b[offOld:])), int32(le.Uint32(b[offNew:]))
		if from <= 0 || from > int32(sampler.StateNewSynRecv) || to <= 0 || to > int32(sampler.StateNewSynRecv) {
			return false, fmt.Errorf("ebpf record: states %d -> %d", from, to)
		}
		*tr = sampler.Transition{
			At:     at,
			Sock:   le.Uint64(b[offSkaddr:]),
			Proto:  sampler.TCP,
			Local:  netip.AddrPortFrom(src, le.Uint16(b[offSport:])),
			Remote: netip.AddrPortFrom(dst, le.Uint16(b[offDport:])),
			From:   sampler.State(from),
			To:     sampler.State(to),
			Actor:  actor(InProcess(sampler.State(from), sampler.State(to))),
			NetNS:  le.Uint32(b[offNetns:]),
			Cookie: le.Uint64(b[offCookie:]),
		}
		return false, nil
	case kindConnect, kindBind:
		addr, err := decodeSockaddr(b[offSockaddr : offSockaddr+32])
		if err != nil {
			return false, err
		}
		op := sampler.FailedConnect
		if kind == kindBind {
			op = sampler.FailedBind
		}
		*pf = sampler.PortFailure{
			At:    at,
			Op:    op,
			Errno: -int(int32(le.Uint32(b[offRet:]))),
			Addr:  addr,
			Actor: actor(true),
			NetNS: le.Uint32(b[offNetns:]),
		}
		return true, nil
	default:
		return false, fmt.Errorf("ebpf record: kind %d", kind)
	}
}

// TimeWait is a timewait record: a timewait socket's timer was armed, the
// socket Local -> Remote in namespace NetNS, with cookie Cookie, in State
// (TIME_WAIT, or FIN_WAIT2 for one whose closer was orphaned before its
// peer's FIN), for Timeo jiffies.
type TimeWait struct {
	At            time.Time
	Cookie        uint64
	State         sampler.State
	Timeo         int32
	NetNS         uint32
	Local, Remote netip.AddrPort
}

// decodeTimeWait reads a kindTimeWait record (the caller checked the kind
// and size).
func decodeTimeWait(b []byte, c Clock, tw *TimeWait) error {
	le := binary.NativeEndian
	st := sampler.State(int32(le.Uint32(b[offNew:])))
	if st != sampler.StateTimeWait && st != sampler.StateFinWait2 {
		return fmt.Errorf("ebpf record: timewait substate %d", st)
	}
	fam := le.Uint16(b[offFamily:])
	src, dst, ok := recordAddrs(b, fam)
	if !ok {
		return fmt.Errorf("ebpf record: timewait family %d", fam)
	}
	*tw = TimeWait{
		At:     c.Wall(le.Uint64(b[offKtime:])),
		Cookie: le.Uint64(b[offCookie:]),
		State:  st,
		Timeo:  int32(le.Uint32(b[offRet:])),
		NetNS:  le.Uint32(b[offNetns:]),
		Local:  netip.AddrPortFrom(src, le.Uint16(b[offSport:])),
		Remote: netip.AddrPortFrom(dst, le.Uint16(b[offDport:])),
	}
	return nil
}

// recordAddrs reads a record's local and remote addresses for family fam
// (false for a family neither IPv4 nor IPv6).
func recordAddrs(b []byte, fam uint16) (src, dst netip.Addr, ok bool) {
	switch fam {
	case afInet:
		return netip.AddrFrom4([4]byte(b[offSaddr4 : offSaddr4+4])), netip.AddrFrom4([4]byte(b[offDaddr4 : offDaddr4+4])), true
	case afInet6:
		return netip.AddrFrom16([16]byte(b[offSaddr6 : offSaddr6+16])).Unmap(), netip.AddrFrom16([16]byte(b[offDaddr6 : offDaddr6+16])).Unmap(), true
	}
	return netip.Addr{}, netip.Addr{}, false
}

// isTimeWait reports whether a record is a timewait record.
func isTimeWait(b []byte) bool {
	return len(b) >= recordSize && binary.NativeEndian.Uint32(b[offKind:]) == kindTimeWait
}

// decodeSockaddr reads a struct sockaddr_in or sockaddr_in6 as user space
// passed it (family in host order, port and address in network order).
func decodeSockaddr(b []byte) (netip.AddrPort, error) {
	fam := binary.NativeEndian.Uint16(b)
	port := binary.BigEndian.Uint16(b[2:])
	switch fam {
	case afInet:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port), nil
	case afInet6:
		return netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[8:24])).Unmap(), port), nil
	}
	return netip.AddrPort{}, fmt.Errorf("ebpf record: sockaddr family %d", fam)
}

// comm is the 16-byte task name, made once per distinct name when comms
// is not nil.
func comm(b []byte, comms map[[16]byte]string) string {
	if comms == nil {
		return cString(b)
	}
	k := [16]byte(b)
	if s, ok := comms[k]; ok {
		return s
	}
	s := cString(b)
	comms[k] = s
	return s
}

// cString is a NUL-terminated kernel string.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
