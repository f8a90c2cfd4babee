package churn

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/ui/theme"
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

// NewStyles builds the panel's styles for one renderer and palette; a nil
// renderer means lipgloss's default one.
func NewStyles(r *lipgloss.Renderer, p theme.Palette) Styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	fg := func(c lipgloss.AdaptiveColor) lipgloss.Style { return r.NewStyle().Foreground(c) }
	return Styles{
		Plain:     r.ColorProfile() == termenv.Ascii,
		title:     fg(p.Accent).Bold(true),
		label:     fg(p.Text),
		muted:     fg(p.Muted),
		handOuts:  fg(p.Opened),
		releases:  fg(p.Closed),
		timeWait:  fg(p.Changed),
		ephemeral: fg(p.Ephemeral),
		warn:      fg(p.Warning).Bold(true),
	}
}
