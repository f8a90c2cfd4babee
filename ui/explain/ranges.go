package explain

import (
	"fmt"

	"github.com/porttop/porttop/sampler/ports"
)

// rangeParas compares this OS's ephemeral range with IANA's dynamic range
// and places the port in it. Every statement is computed from the ranges,
// so it holds for any OS and any configured range.
func rangeParas(in Input) []para {
	e := in.Ephemeral
	if !e.Known() {
		return []para{text("Ephemeral range: unknown, so porttop cannot say whether the OS would hand this port out.")}
	}
	osn := osName(in.OS)
	src := ""
	if in.EphemeralSource != "" {
		src = " (source: " + in.EphemeralSource + ")"
	}
	d := ports.Dynamic.Bounds()
	s := fmt.Sprintf("Ephemeral range: %s on this machine hands out ports %s%s to programs that "+
		"do not ask for a port, such as the local end of outgoing connections.", osn, e, src)
	if e == d {
		s += " That is exactly IANA's dynamic range."
	} else {
		s += fmt.Sprintf(" That is not IANA's dynamic range %s", d)
		var diffs []string
		for _, c := range []ports.Class{ports.WellKnown, ports.Registered} {
			if r, ok := intersect(e, c.Bounds()); ok {
				diffs = append(diffs, fmt.Sprintf("it can hand out %s ports %s", c, r))
			}
		}
		if unused := subtract(d, e); len(unused) > 0 {
			diffs = append(diffs, fmt.Sprintf("it never uses %s of the dynamic range", joinRanges(unused)))
		}
		s += ": " + joinAnd(diffs) + "."
	}
	return []para{text(s), text(placement(in, osn))}
}

// placement says what the ephemeral range means for this port.
func placement(in Input, osn string) string {
	p, e := in.Port, in.Ephemeral
	switch c := ports.ClassOf(p); {
	case p == 0:
		return "Port 0 itself is never handed out: asking for it means \"any free port\"."
	case e.Contains(p) && c != ports.Dynamic:
		return fmt.Sprintf("Port %d is inside that range although IANA calls it %s, so %s may hand it "+
			"to any outgoing connection, and a server that wants it may find it taken.", p, c, osn)
	case e.Contains(p):
		return fmt.Sprintf("Port %d is inside that range, so %s may hand it to any outgoing connection.", p, osn)
	case c == ports.Dynamic:
		return fmt.Sprintf("Port %d is in IANA's dynamic range but outside this machine's ephemeral range, "+
			"so %s never hands it out by itself: only a program asking for it by number gets it.", p, osn)
	}
	return fmt.Sprintf("Port %d is outside that range, so %s never hands it out by itself: "+
		"only a program asking for it by number gets it.", p, osn)
}

func intersect(a, b ports.Range) (ports.Range, bool) {
	r := ports.Range{Lo: max(a.Lo, b.Lo), Hi: min(a.Hi, b.Hi)}
	return r, r.Lo <= r.Hi && a.Size() > 0 && b.Size() > 0
}

// subtract is a minus b: zero, one or two ranges.
func subtract(a, b ports.Range) []ports.Range {
	if _, overlap := intersect(a, b); !overlap {
		return []ports.Range{a}
	}
	var out []ports.Range
	if b.Lo > a.Lo {
		out = append(out, ports.Range{Lo: a.Lo, Hi: b.Lo - 1})
	}
	if b.Hi < a.Hi {
		out = append(out, ports.Range{Lo: b.Hi + 1, Hi: a.Hi})
	}
	return out
}

func joinRanges(rs []ports.Range) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.String()
	}
	return joinAnd(s)
}
