package ports

import (
	"fmt"
	"strconv"
	"strings"
)

// Range is an inclusive range of ports.
type Range struct{ Lo, Hi uint16 }

// Contains reports whether p lies in the range.
func (r Range) Contains(p uint16) bool { return r.Lo <= p && p <= r.Hi }

// Known reports whether r is a range of ports at all. The zero Range is how
// an unknown range arrives (a recording that names none, an OS porttop
// cannot ask); read as "port 0 alone" it would mark port 0 ephemeral and
// make shares of a one-port range. An empty range (Lo > Hi) holds nothing.
func (r Range) Known() bool { return r != Range{} && r.Lo <= r.Hi }

// Size is how many ports the range holds (0 when Lo > Hi).
func (r Range) Size() int {
	if r.Lo > r.Hi {
		return 0
	}
	return int(r.Hi) - int(r.Lo) + 1
}

// String writes "32768-60999", or just "80" for a single port, so that
// ParseRange reads it back.
func (r Range) String() string {
	if r.Lo == r.Hi {
		return strconv.Itoa(int(r.Lo))
	}
	return strconv.Itoa(int(r.Lo)) + "-" + strconv.Itoa(int(r.Hi))
}

// ParseRange reads "49152-65535" or a single port "80".
func ParseRange(s string) (Range, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Range{}, fmt.Errorf("empty port range: write a port (80) or a range (49152-65535)")
	}
	lo, hi, isRange := strings.Cut(t, "-")
	if !isRange {
		p, err := ParsePort(t)
		return Range{p, p}, err
	}
	if strings.TrimSpace(lo) == "" || strings.TrimSpace(hi) == "" {
		return Range{}, fmt.Errorf("range %q needs a port on each side of the dash, like 49152-65535", t)
	}
	l, err := ParsePort(lo)
	if err != nil {
		return Range{}, fmt.Errorf("range %q: %w", t, err)
	}
	h, err := ParsePort(hi)
	if err != nil {
		return Range{}, fmt.Errorf("range %q: %w", t, err)
	}
	if l > h {
		return Range{}, fmt.Errorf("range %q is backwards: the first port must not be above the last (did you mean %d-%d?)", t, h, l)
	}
	return Range{l, h}, nil
}

// ParsePort reads a decimal port number 0-65535.
func ParsePort(s string) (uint16, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty port: ports are 0-65535")
	}
	if rest, signed := strings.CutPrefix(t, "+"); signed {
		// ParseInt would take +80 for 80; porttop never writes a sign.
		return 0, fmt.Errorf("port %q has a sign: write it alone, like %s", t, rest)
	}
	if rest, neg := strings.CutPrefix(t, "-"); neg && rest != "" && strings.Trim(rest, "0123456789") == "" {
		return 0, fmt.Errorf("port %q is out of range: ports are 0-65535", t) // -0 too
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("port %q is out of range: ports are 0-65535", t)
		}
		return 0, fmt.Errorf("port %q is not a number: ports are 0-65535", t)
	}
	if n < 0 || n > 65535 {
		return 0, fmt.Errorf("port %q is out of range: ports are 0-65535", t)
	}
	return uint16(n), nil
}
