package filter

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/porttop/porttop/sampler/ports"
)

// looksLikeAddress tells whether a bare term was meant as an address,
// network or address:port, so that a mistyped one (300.1.1.1, 10.0.0.0/99,
// 127.0.0.1:99999, [::1) is an error rather than a search for a process so
// named. The rule, after cutting off a "/BITS" suffix:
//   - it starts with '[' (a bracketed IPv6 address, [::1]:22); or
//   - it has two or more colons and is otherwise made only of hex digits
//     and dots, with an optional %zone (::1, fe80::1%eth0, ::ffff:1.2.3.4);
//     or
//   - it is digits and dots with at least one dot, optionally followed by
//     :PORT (10.0.0.1, 1.2.3, 127.0.0.1:8080).
//
// A "/BITS" suffix alone decides nothing: kworker/0 stays a name. No process
// name a person would type is caught: names have letters beyond a-f, and a
// name that is all hex digits has at most one colon.
func looksLikeAddress(tok string) bool {
	host := tok
	if i := strings.LastIndexByte(host, '/'); i >= 0 {
		host = host[:i]
	}
	if strings.HasPrefix(host, "[") {
		return true
	}
	if strings.Count(host, ":") >= 2 {
		h, _, _ := strings.Cut(host, "%")
		return onlyOf(h, "0123456789abcdefABCDEF:.")
	}
	h, _, _ := strings.Cut(host, ":")
	return strings.Contains(h, ".") && onlyOf(h, "0123456789.")
}

func onlyOf(s, chars string) bool {
	return s != "" && strings.Trim(s, chars) == ""
}

// addrProblem says what is wrong with a term that looks like an address but
// did not parse as one.
func addrProblem(tok string) error {
	if addr, bits, ok := strings.Cut(tok, "/"); ok {
		return fmt.Errorf("not an address or network (%s)", prefixProblem(addr, bits))
	}
	host, port, hasPort := splitHostPort(tok)
	if strings.HasPrefix(tok, "[") && !strings.Contains(tok, "]") {
		return fmt.Errorf("not an address: the [ has no closing ], as in [::1]:22")
	}
	if a, err := netip.ParseAddr(host); strings.HasPrefix(tok, "[") && err == nil && a.Is4() {
		return fmt.Errorf("not an address: write an IPv4 address without brackets, as in 127.0.0.1 or 127.0.0.1:22")
	}
	if !hasPort {
		return fmt.Errorf("not an address (%s)", netipProblem(netip.ParseAddr(tok)))
	}
	if _, err := netip.ParseAddr(host); err != nil {
		return fmt.Errorf("not an address and port (%s)", netipProblem(netip.Addr{}, err))
	}
	if _, err := ports.ParsePort(port); err != nil {
		return err
	}
	return fmt.Errorf("not an address and port: write an IPv6 one in brackets, as in [::1]:22, and an IPv4 one bare, as in 127.0.0.1:22")
}

// splitHostPort cuts [HOST]:PORT or HOST:PORT (one colon); IPv6 without
// brackets has no port.
func splitHostPort(tok string) (host, port string, ok bool) {
	if strings.HasPrefix(tok, "[") {
		end := strings.Index(tok, "]")
		if end < 0 {
			return "", "", false
		}
		rest, ok := strings.CutPrefix(tok[end+1:], ":")
		return tok[1:end], rest, ok
	}
	if strings.Count(tok, ":") != 1 {
		return tok, "", false
	}
	host, port, _ = strings.Cut(tok, ":")
	return host, port, true
}

func prefixProblem(addr, bits string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return netipProblem(a, err)
	}
	n, err := strconv.Atoi(bits)
	switch {
	case bits == "":
		return "no prefix length after the /"
	case err != nil && strings.Trim(bits, "0123456789") == "":
		return fmt.Sprintf("prefix length %s > %d", bits, a.BitLen())
	case err != nil:
		return fmt.Sprintf("prefix length %q is not a number", bits)
	case n > a.BitLen():
		return fmt.Sprintf("prefix length %d > %d", n, a.BitLen())
	case a.Zone() != "":
		return "a network takes no %zone"
	}
	return fmt.Sprintf("prefix length %q: write it without a sign or leading zeros", bits)
}

// netipProblem is netip's reason without its echo of the input, which the
// caller's message already quotes.
func netipProblem(_ netip.Addr, err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "): "); i >= 0 {
		msg = msg[i+3:]
	}
	return msg
}
