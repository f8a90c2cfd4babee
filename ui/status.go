package ui

import (
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

// statusLine is the last line: the message (or the filter in force) on the
// left, short help on the right when it fits.
func (m Model) statusLine() string {
	st := m.styles
	var left string
	switch {
	case m.status.isErr:
		left = st.Error.Render("! " + m.status.text)
	case m.status.text != "":
		left = st.Accent.Render(m.status.text)
	case !m.filter.IsZero():
		left = st.Accent.Render("filter: " + m.filter.String())
	}
	if m.status.text != "" && !m.status.isErr && !m.filter.IsZero() && !strings.HasPrefix(m.status.text, "filter") {
		left += st.Muted.Render("  (filter: " + m.filter.String() + ")")
	}
	h := m.help
	h.Width = max(m.width-ansi.StringWidth(left)-2, 0)
	right := h.ShortHelpView(m.keys.ShortHelp())
	if left == "" {
		return ansi.Truncate(right, m.width, "…")
	}
	if ansi.StringWidth(right) == 0 || ansi.StringWidth(left)+2+ansi.StringWidth(right) > m.width {
		return ansi.Truncate(left, m.width, "…")
	}
	return left + strings.Repeat(" ", m.width-ansi.StringWidth(left)-ansi.StringWidth(right)) + right
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
