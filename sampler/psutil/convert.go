package psutil

import (
	"fmt"
	"net/netip"
	"strings"
	"syscall"

	"github.com/porttop/porttop/sampler"
	gnet "github.com/shirou/gopsutil/v3/net"
)

// protoOf tells a row's protocol from its socket type; ok is false for rows
// that are neither TCP nor UDP (raw sockets listed by some OSes).
func protoOf(sockType uint32) (sampler.Proto, bool) {
	switch sockType {
	case syscall.SOCK_STREAM:
		return sampler.TCP, true
	case syscall.SOCK_DGRAM:
		return sampler.UDP, true
	}
	return 0, false
}

// toSocket converts one row. Addresses are unmapped (a dual-stack socket
// reported as family 6 with ::ffff:a.b.c.d becomes a.b.c.d) so that the same
// connection always has the same ID; UDP has no state; Uids[0] is the owner.
func toSocket(c gnet.ConnectionStat, proto sampler.Proto) (sampler.Socket, error) {
	s := sampler.Socket{ID: sampler.ID{Proto: proto}, Owner: sampler.Owner{PID: c.Pid, UID: -1}}
	if c.Pid < 0 {
		s.PID = 0
	}
	if len(c.Uids) > 0 {
		s.UID = c.Uids[0]
	}
	var err error
	if s.Local, err = addrPort(c.Laddr, c.Family, c.Raddr); err != nil {
		return s, fmt.Errorf("local address: %w", err)
	}
	if s.Remote, err = addrPort(c.Raddr, c.Family, c.Laddr); err != nil {
		return s, fmt.Errorf("remote address: %w", err)
	}
	if proto == sampler.TCP {
		if s.State, err = parseState(c.Status); err != nil {
			return s, err
		}
	}
	return s, nil
}

// addrPort reads one of gopsutil's addresses. An empty or "*" IP (an unbound
// or unconnected end) becomes the unspecified address of the row's family,
// taken from the other end when that one has an address.
func addrPort(a gnet.Addr, family uint32, other gnet.Addr) (netip.AddrPort, error) {
	if a.Port > 0xffff {
		return netip.AddrPort{}, fmt.Errorf("port %d out of range", a.Port)
	}
	port := uint16(a.Port)
	if a.IP == "" || a.IP == "*" {
		return netip.AddrPortFrom(unspecified(family, other.IP), port), nil
	}
	ip, err := netip.ParseAddr(strings.Trim(a.IP, "[]"))
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad IP %q", a.IP)
	}
	return sampler.Unmap(netip.AddrPortFrom(ip.WithZone(""), port)), nil
}

func unspecified(family uint32, otherIP string) netip.Addr {
	if other, err := netip.ParseAddr(strings.Trim(otherIP, "[]")); err == nil {
		if other.Unmap().Is4() {
			return netip.IPv4Unspecified()
		}
		return netip.IPv6Unspecified()
	}
	if family == syscall.AF_INET6 {
		return netip.IPv6Unspecified()
	}
	return netip.IPv4Unspecified()
}

// stateAliases are the spellings other OSes use for the kernel's states.
var stateAliases = map[string]sampler.State{
	"CLOSED":       sampler.StateClose,       // Windows, BSD lsof
	"DELETE":       sampler.StateClose,       // Windows DELETE_TCB
	"SYN_RECEIVED": sampler.StateSynRecv,     // Windows, BSD lsof
	"IDLE":         sampler.StateClose,       // lsof on some BSDs
	"BOUND":        sampler.StateClose,       // lsof: bound, not listening
	"LISTENING":    sampler.StateListen,      // netstat spelling
	"CLOSE_WAIT":   sampler.StateCloseWait,   // explicit: not CLOSE
	"TIME_WAIT":    sampler.StateTimeWait,    // explicit
	"FIN_WAIT_1":   sampler.StateFinWait1,    // Windows spelling
	"FIN_WAIT_2":   sampler.StateFinWait2,    // Windows spelling
	"LAST_ACK":     sampler.StateLastAck,     // explicit
	"ESTABLISHED":  sampler.StateEstablished, // the common case, no allocation
	"LISTEN":       sampler.StateListen,
}

// parseState reads a TCP state as gopsutil spells it on any OS.
func parseState(status string) (sampler.State, error) {
	if s, ok := stateAliases[status]; ok {
		return s, nil
	}
	if s, ok := sampler.ParseState(status); ok && s != sampler.StateNone {
		return s, nil
	}
	return 0, fmt.Errorf("unknown TCP state %q", status)
}
