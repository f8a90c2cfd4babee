package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"

	"github.com/porttop/porttop/ui/style"
)

func newHelp(st style.Styles) help.Model {
	h := help.New()
	h.Styles = help.Styles{
		Ellipsis:       st.Muted,
		ShortKey:       st.Accent,
		ShortDesc:      st.Muted,
		ShortSeparator: st.Muted,
		FullKey:        st.Accent,
		FullDesc:       st.Text,
		FullSeparator:  st.Muted,
	}
	return h
}

// helpView is the `?` overlay: every key, then the legend.
func (m Model) helpView() string {
	st := m.styles
	h := m.help
	h.ShowAll = true
	lines := []string{
		st.Title.Render("keys") + st.Muted.Render("  (? or esc closes)"),
		h.FullHelpView(m.keys.FullHelp()),
	}
	if m.views.main == viewMap {
		lines = append(lines, "", st.Title.Render("on the map"), h.FullHelpView(m.views.portmap.KeyMap().FullHelp()))
	}
	lines = append(lines,
		"",
		st.Title.Render("colours and marks"),
	)
	for _, item := range m.legendItems() {
		lines = append(lines, "  "+item)
	}
	lines = append(lines, "  "+st.Accent.Render(">")+" cursor row   bold row: opened in the last seconds   dim row: just closed")
	return strings.Join(lines, "\n")
}
