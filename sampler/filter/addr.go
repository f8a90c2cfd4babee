package filter

import (
	"net/netip"
	"strings"
)

// parseAddrTerm reads 127.0.0.1, ::1, [::1], 10.0.0.0/8 or [::1]:22. Addresses are
// unmapped (::ffff:1.2.3.4 is 1.2.3.4) and lose any zone, as the sources
// report them.
func parseAddrTerm(tok string) (addrTerm, bool) {
	if ap, err := netip.ParseAddrPort(tok); err == nil && !strings.Contains(ap.Addr().Zone(), "/") {
		a := norm(ap.Addr())
		return addrTerm{addr: a, bits: a.BitLen(), port: int32(ap.Port())}, true
	}
	// [::1] is how IPv6 addresses are written beside ports; alone it is
	// the address. (IPv4 is never bracketed: [1.2.3.4] stays an error.)
	if inner, ok := strings.CutPrefix(tok, "["); ok {
		if inner, ok := strings.CutSuffix(inner, "]"); ok {
			if a, err := netip.ParseAddr(inner); err == nil && a.Is6() && !strings.Contains(a.Zone(), "/") {
				a = norm(a)
				return addrTerm{addr: a, bits: a.BitLen(), port: -1}, true
			}
		}
	}
	// netip reads fe80::1%eth0/64 as a zone "eth0/64"; a / is a prefix
	// length, and a network takes no zone, so that is an error.
	if a, err := netip.ParseAddr(tok); err == nil && !strings.Contains(a.Zone(), "/") {
		a = norm(a)
		return addrTerm{addr: a, bits: a.BitLen(), port: -1}, true
	}
	if p, err := netip.ParsePrefix(tok); err == nil {
		p = p.Masked()
		return addrTerm{addr: p.Addr(), bits: p.Bits(), network: true, port: -1}, true
	}
	return addrTerm{}, false
}

func norm(a netip.Addr) netip.Addr { return a.Unmap().WithZone("") }

// match: an unspecified or absent remote end never matches.
func (a addrTerm) match(local, remote netip.AddrPort) bool {
	return a.matchSide(local) || (remote.Port() != 0 && a.matchSide(remote))
}

func (a addrTerm) matchSide(ap netip.AddrPort) bool {
	if !ap.IsValid() || (a.port >= 0 && ap.Port() != uint16(a.port)) {
		return false
	}
	return netip.PrefixFrom(a.addr, a.bits).Contains(norm(ap.Addr()))
}
