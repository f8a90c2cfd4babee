package portmap

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/porttop/porttop/sampler/ports"
)

// cursorLine describes the cursor's block: its ports, classes, whether it is
// ephemeral, how many ports are in use and how many were just handed out. It
// words itself shorter rather than lose the numbers to a narrow area.
func (m Model) cursorLine(r ports.Range, used, flashed, width int) string {
	what := "ports " + r.String()
	if r.Size() == 1 {
		what = "port " + r.String()
	}
	kind := ports.ClassOf(r.Lo).String()
	if hi := ports.ClassOf(r.Hi); hi != ports.ClassOf(r.Lo) {
		kind += "/" + hi.String()
	}
	eph := ""
	switch {
	case m.ephemeral.Size() > 0 && m.ephemeral.Contains(r.Lo) && m.ephemeral.Contains(r.Hi):
		eph = "OS ephemeral"
	case overlaps(r, m.ephemeral):
		eph = "partly OS ephemeral"
	}
	full := kind
	if eph != "" {
		full += ", " + eph
	}
	secs := int(flashFor.Seconds())
	wordings := []string{
		fmt.Sprintf("(%s): %s in use, %s handed out in the last %ds", full, commas(used), commas(flashed), secs),
		fmt.Sprintf("(%s): %s in use, %s new in %ds", full, commas(used), commas(flashed), secs),
		fmt.Sprintf("%s: %s used, %s new", strings.Replace(full, "OS ", "", 1), commas(used), commas(flashed)),
	}
	// The scope goes first: a narrow map cuts the end, never what the
	// counts are of.
	scope := ""
	if m.scope != "" {
		scope = m.scope + ": "
		width -= ansi.StringWidth(scope)
	}
	for _, w := range wordings {
		if ansi.StringWidth(what)+1+ansi.StringWidth(w) <= width {
			return scope + m.styles.accent.Render(what) + " " + w
		}
	}
	return scope + m.styles.accent.Render(r.String()) + " " + wordings[len(wordings)-1]
}

// portsLine lists the cursor block's ports in use, with the IANA service name
// of those outside the ephemeral range (inside it the name says nothing of
// who holds the port), as many as fit in width.
func (m Model) portsLine(r ports.Range, width int) string {
	c := m.c
	total := c.inUse.count(int(r.Lo), int(r.Hi)+1)
	if total == 0 {
		return m.styles.muted.Render("in use: none")
	}
	var b strings.Builder
	b.WriteString("in use:")
	shown := 0
	for p := int(r.Lo); p <= int(r.Hi); p++ {
		port := uint16(p)
		if !c.inUse.has(port) {
			continue
		}
		item := " " + fmt.Sprint(p)
		if !m.ephemeral.Contains(port) || m.ephemeral.Size() == 0 {
			if name := ports.ServiceName(port, ""); name != "" {
				item += " " + name
			}
		}
		more := fmt.Sprintf(" +%d more", total-shown-1)
		if shown+1 == total {
			more = ""
		}
		if ansi.StringWidth(b.String()+item+more) > width {
			fmt.Fprintf(&b, " +%d more", total-shown)
			break
		}
		b.WriteString(item)
		shown++
	}
	return b.String()
}

// legend explains glyphs and colours, as many items as fit in width;
// without colour it names the glyphs that stand in for attributes.
func (m Model) legend(width int) string {
	st := m.styles
	eph := "[=] OS ephemeral " + m.ephemeral.String()
	if m.ephemeral.Size() == 0 {
		eph = "OS ephemeral range unknown"
	}
	items := []string{"· free ▪ ░ ▒ ▓ █ share in use", st.marker.Render(eph)}
	if st.Plain {
		items = append(items, "| 1024 49152", "* new", "◆ cursor")
	} else {
		items = append(items,
			st.class[ports.WellKnown].Render("well-known")+" "+
				st.class[ports.Registered].Render("registered")+" "+
				st.class[ports.Dynamic].Render("dynamic"),
			st.flash.Render("new"))
	}
	var b strings.Builder
	for _, it := range items {
		sep := "  "
		if b.Len() == 0 {
			sep = ""
		}
		if b.Len() > 0 && ansi.StringWidth(b.String()+sep+it) > width {
			continue
		}
		b.WriteString(sep + it)
	}
	return b.String()
}

// commas writes n with thousands separators: 16210 -> "16,210".
func commas(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + commas(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
