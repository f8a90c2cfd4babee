package churn

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/porttop/porttop/ui/style"
)

// Styles is what the panel is drawn with. Build it with NewStyles.
type Styles struct {
	// Plain is set when the renderer shows neither colour nor attributes.
	Plain     bool
	title     lipgloss.Style
	label     lipgloss.Style
	muted     lipgloss.Style
	handOuts  lipgloss.Style
	releases  lipgloss.Style
	timeWait  lipgloss.Style
	ephemeral lipgloss.Style
	warn      lipgloss.Style
}

// NewStyles picks the panel's styles out of the screen's one set, so the
// panel follows the renderer and theme the rest of porttop uses.
func NewStyles(st style.Styles) Styles {
	return Styles{
		Plain:     st.Plain,
		title:     st.Title,
		label:     st.Text,
		muted:     st.Muted,
		handOuts:  st.Opened,
		releases:  st.Closed,
		timeWait:  st.Changed,
		ephemeral: st.Ephemeral,
		warn:      st.Warning,
	}
}
