package ui

import (
	"github.com/charmbracelet/bubbles/key"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// status is the bottom line's message: the last thing porttop has to say
// (an applied filter, a bad one, a feed error). It stays until replaced.
type status struct {
	text  string
	isErr bool
}

func (s *status) info(t string) { *s = status{text: t} }
func (s *status) fail(t string) { *s = status{text: t, isErr: true} }
func (s *status) clear()        { *s = status{} }

// statusLine is the bottom: the message (or the filter in force) on the
// left, short help on the right when it fits. An error may wrap to
// maxStatusLines so that it is read in full, and then it has the line alone.
func (m Model) statusLine() string {
	st := m.styles
	if m.status.isErr {
		text := ansi.Wordwrap("! "+m.status.text, m.width, " ")
		lines := strings.Split(text, "\n")
		if len(lines) > maxStatusLines {
			lines = lines[:maxStatusLines]
			lines[maxStatusLines-1] = ansi.Truncate(lines[maxStatusLines-1]+" …", m.width, "…")
		}
		for i, l := range lines {
			lines[i] = st.Error.Render(ansi.Truncate(l, m.width, "…"))
		}
		return strings.Join(lines, "\n")
	}
	var left string
	switch {
	case m.status.text != "":
		left = st.Accent.Render(m.status.text)
		if !m.filter.IsZero() && !strings.HasPrefix(m.status.text, "filter") {
			left += st.Muted.Render("  (filter: " + m.filter.String() + ")")
		}
	case !m.filter.IsZero():
		left = st.Accent.Render("filter: " + m.filter.String())
	}
	h := m.help
	h.Width = 0 // the short help is cut here, with room measured exactly
	right := h.ShortHelpView(m.shortHelp())
	if left == "" {
		return ansi.Truncate(right, m.width, "…")
	}
	lw := ansi.StringWidth(left)
	room := m.width - lw - 3
	if room < 12 {
		return ansi.Truncate(left, m.width, "…")
	}
	right = ansi.Truncate(right, room, "…")
	return left + strings.Repeat(" ", m.width-lw-ansi.StringWidth(right)) + right
}

// maxStatusLines bounds a wrapped error message.
const maxStatusLines = 3

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// shortHelp is the bottom line's keys; on the map, the map's own first.
// While the source reads several network namespaces, N (which one the
// churn panel and the map show) is listed on the map and the churn panel.
func (m Model) shortHelp() []key.Binding {
	k := m.keys
	var netns []key.Binding
	if m.views.scope.many() && (m.views.main == viewMap || m.views.side == sideChurn) {
		netns = []key.Binding{k.Netns}
	}
	if m.views.main == viewMap {
		return append(append(m.views.portmap.KeyMap().ShortHelp(), netns...), k.Map, k.Churn, k.Filter, k.Help, k.Quit)
	}
	if len(netns) > 0 {
		short := k.ShortHelp()
		return append(append(short[:len(short)-2:len(short)-2], netns...), short[len(short)-2:]...)
	}
	return k.ShortHelp()
}
