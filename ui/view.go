package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/porttop/porttop/ui/header"
)

// render composes the screen from its parts, top to bottom.
func (m Model) render() string {
	if m.width == 0 || m.height == 0 {
		return "porttop: starting…"
	}
	if m.tooSmall() {
		return m.tooSmallView()
	}
	now := m.now()
	a := m.computeAreas()
	parts := []string{header.View(m.styles, m.headerInfo(now), m.width), ""}
	parts = append(parts, m.body(a))
	if a.legend {
		parts = append(parts, m.legendLine())
	}
	if m.bar.IsOpen() {
		parts = append(parts, m.bar.View())
	}
	if m.confirm.Active() { // the question takes the status line's place
		c := m.confirm
		c.SetSize(m.width, 1)
		parts = append(parts, c.View())
		return strings.Join(parts, "\n")
	}
	parts = append(parts, m.statusLine())
	return strings.Join(parts, "\n")
}

// body is the middle of the screen: an overlay (help, explain) or the
// table (or the free-port answer) with the feed.
func (m Model) body(a areas) string {
	switch {
	case m.showHelp:
		return fill(m.helpPane.View(), m.width, a.bodyH)
	case m.explain.IsOpen():
		return fill(m.explain.View(), m.width, a.bodyH)
	}
	// The table and feed are frozen while paused, their ages too: a row's
	// AGE is as of the pause, so the screen is one moment, as a paused top is.
	now := m.now()
	if m.paused.on {
		now = m.paused.at
	}
	m.setFocus() // on this copy, as layout does: drawn right even before an Update
	var table string
	if m.views.main == viewMap {
		pm := m.views.portmap // sized to this frame's areas, as the table is
		pm.SetSize(a.tableW, a.tableH)
		table = pm.View()
	} else if ans, ok := m.freePortAnswer(a.tableW); ok {
		table = ans
	} else {
		tb := m.table // drawn at the display's moment
		tb.SetNow(now)
		table = tb.View()
		if m.table.Len() == 0 && !m.filter.IsZero() {
			table += "\n" + m.styles.Muted.Render("  no sockets match the filter "+m.filter.String())
		}
	}
	table = fill(table, a.tableW, a.tableH)
	var feed string
	if m.views.side == sideChurn {
		ch := *m.views.shownChurn()
		ch.SetSize(a.feedW, a.feedH)
		feed = ch.View()
	} else {
		fd := m.feed
		fd.SetNow(now)
		feed = fd.View()
	}
	feed = fill(feed, a.feedW, a.feedH)
	if a.sideBySide {
		rule := strings.TrimSuffix(strings.Repeat(m.styles.Muted.Render("│")+"\n", a.bodyH), "\n")
		return lipgloss.JoinHorizontal(lipgloss.Top, table, rule, feed)
	}
	rule := m.styles.Muted.Render(strings.Repeat("─", m.width))
	return fill(table+"\n"+rule+"\n"+feed, m.width, a.bodyH)
}

// tooSmallView says what size porttop needs, wrapped to the screen: the
// longest wording that fits, down to the bare size on a tiny terminal.
func (m Model) tooSmallView() string {
	w, h := max(m.width, 1), max(m.height, 1)
	need := fmt.Sprintf("%dx%d", MinWidth, MinHeight)
	wordings := []string{
		fmt.Sprintf("porttop needs a terminal of at least %s;\nthis one is %dx%d.\nEnlarge it, or press q to quit.", need, m.width, m.height),
		fmt.Sprintf("porttop needs %s, this is %dx%d; q quits", need, m.width, m.height),
		"need " + need,
		need,
	}
	var msg string
	for _, text := range wordings {
		msg = ansi.Wrap(text, w, "")
		if lipgloss.Height(msg) <= h {
			break
		}
	}
	msg = fill(msg, min(lipgloss.Width(msg), w), min(lipgloss.Height(msg), h))
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center,
		m.styles.Warning.Render(msg), lipgloss.WithWhitespaceChars(" "))
}

// fill cuts or pads s to exactly h lines of width w, so that parts line up
// and nothing below them moves.
func fill(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lw := ansi.StringWidth(l)
		switch {
		case lw > w:
			lines[i] = ansi.Truncate(l, w, "")
		case lw < w:
			lines[i] = l + strings.Repeat(" ", w-lw)
		}
	}
	return strings.Join(lines, "\n")
}
