package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/eventfeed"
	"github.com/porttop/porttop/ui/sockettable"
)

// legendItems explains every colour and glyph: each range's colour with its
// name and bounds, the ephemeral marker and the event glyphs.
func (m Model) legendItems() []string {
	st := m.styles
	cls := func(c ports.Class) string { return c.String() + " " + c.Bounds().String() }
	items := []string{
		st.WellKnown.Render(cls(ports.WellKnown)),
		st.Registered.Render(cls(ports.Registered)),
		st.Dynamic.Render(cls(ports.Dynamic)),
		st.Ephemeral.Render(sockettable.EphemeralGlyph) + " in the OS ephemeral range " + m.ephemeralText(),
	}
	return append(items, m.markItems()...)
}

// markItems are the event glyphs, as the legend line shows them at any
// width.
func (m Model) markItems() []string {
	st := m.styles
	items := []string{
		st.Opened.Render(eventfeed.OpenedGlyph) + " new",
		st.Closed.Render(eventfeed.ClosedGlyph) + " closed",
		st.Changed.Render(eventfeed.ChangedGlyph) + " state change",
		st.Opened.Render(eventfeed.AcceptedGlyph) + " accepted, " + st.Closed.Render(eventfeed.AcceptedClosedGlyph) + " its close",
		st.Muted.Render(eventfeed.ExistingGlyph) + " already open",
	}
	return items
}

// ownerHiddenItem explains the hidden-owner mark; the legend line shows it
// while the source hides other users' processes, first among the marks.
const ownerHiddenItem = sockettable.OwnerHiddenGlyph + " in PROCESS: owner hidden"

// ephemeralText is the OS ephemeral range, or that it is unknown.
func (m Model) ephemeralText() string {
	if !m.cfg.Ephemeral.Known() {
		return "(unknown)"
	}
	return m.cfg.Ephemeral.String()
}

// legendLine is the legend in one line: with the ranges' bounds when they
// fit, else names only, dropping marks from the end so that "? more" (the
// help overlay has the whole legend) always shows.
func (m Model) legendLine() string {
	sep := m.styles.Muted.Render(" · ")
	var hidden []string
	if m.table.OwnersHidden() {
		hidden = []string{ownerHiddenItem}
	}
	if full := strings.Join(append(m.legendItems(), hidden...), sep); ansi.StringWidth(full) <= m.width {
		return full
	}
	st := m.styles
	short := []string{
		st.WellKnown.Render("well-known"),
		st.Registered.Render("registered"),
		st.Dynamic.Render("dynamic"),
		st.Ephemeral.Render(sockettable.EphemeralGlyph) + " OS ephemeral",
	}
	short = append(append(short, hidden...), m.markItems()...)
	more := sep + "? more"
	for len(short) > 1 && ansi.StringWidth(strings.Join(short, sep)+more) > m.width {
		short = short[:len(short)-1]
	}
	return ansi.Truncate(strings.Join(short, sep)+more, m.width, "…")
}
