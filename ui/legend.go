package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/eventfeed"
	"github.com/porttop/porttop/ui/sockettable"
)

// legendItems explains every colour and glyph: each range's colour with its
// name and bounds, the ephemeral marker, and the event glyphs.
func (m Model) legendItems() []string {
	st := m.styles
	cls := func(c ports.Class) string { return c.String() + " " + c.Bounds().String() }
	return []string{
		st.WellKnown.Render(cls(ports.WellKnown)),
		st.Registered.Render(cls(ports.Registered)),
		st.Dynamic.Render(cls(ports.Dynamic)),
		st.Ephemeral.Render(sockettable.EphemeralGlyph) + " in the OS ephemeral range " + m.cfg.Ephemeral.String(),
		st.Opened.Render(eventfeed.OpenedGlyph) + " new",
		st.Closed.Render(eventfeed.ClosedGlyph) + " closed",
		st.Changed.Render(eventfeed.ChangedGlyph) + " state change",
	}
}

// legendLine is the legend in one line: with the ranges' bounds when they
// fit, else names only (the help overlay always has the bounds).
func (m Model) legendLine() string {
	sep := m.styles.Muted.Render(" · ")
	if full := strings.Join(m.legendItems(), sep); ansi.StringWidth(full) <= m.width {
		return full
	}
	st := m.styles
	short := []string{
		st.WellKnown.Render("well-known"),
		st.Registered.Render("registered"),
		st.Dynamic.Render("dynamic"),
		st.Ephemeral.Render(sockettable.EphemeralGlyph) + " OS ephemeral",
		st.Opened.Render(eventfeed.OpenedGlyph) + " new",
		st.Closed.Render(eventfeed.ClosedGlyph) + " closed",
		st.Changed.Render(eventfeed.ChangedGlyph) + " state change",
		"? more",
	}
	return ansi.Truncate(strings.Join(short, sep), m.width, "…")
}
