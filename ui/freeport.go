package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// freePortAnswer is what the table area says when the filter is one port
// and nothing uses it: free now, what IANA says, which ranges hold it, and
// what this run saw of it.
func (m Model) freePortAnswer(width int) (string, bool) {
	port, ok := m.singlePort()
	if !ok || m.table.Len() > 0 || !m.stats.seen {
		return "", false
	}
	st := m.styles
	free := st.Title.Render(fmt.Sprintf("Port %d is free now", port)) + st.Muted.Render(": no socket on this machine uses it.")
	if port == 0 {
		free = st.Title.Render("No socket holds port 0") + st.Muted.Render(": a socket shows it only before it has a port.")
	}
	lines := []string{
		free,
		ianaLine(port, ""),
		rangesLine(port, m.cfg.Ephemeral),
	}
	lines = append(lines, historyLines(m.history.Port(0, port), m.started, m.now())...)
	lines = append(lines, st.Muted.Render("enter/i explains it in full; esc clears the filter."))
	return wrapLines(lines, width), true
}

// wrapLines word-wraps each line to width.
func wrapLines(lines []string, width int) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = ansi.Wordwrap(l, max(width, 10), " ")
	}
	return strings.Join(out, "\n")
}
