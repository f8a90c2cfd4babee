// Package style builds porttop's one set of lipgloss styles from an injected
// renderer and a palette. Nothing here is global: a test renderer with the
// ASCII profile yields styles that print no escape codes at all, so every
// style below is paired with a glyph or a word wherever it carries meaning.
// NO_COLOR gets the terminal's own profile with theme.NoColor: no colour,
// but reverse video, bold and dim.
package style

import (
	"strconv"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/ui/theme"
)

// Styles is every style the screen uses, named by what it is for.
type Styles struct {
	Renderer *lipgloss.Renderer
	Palette  theme.Palette
	// Plain is set when the renderer shows neither colour nor attributes
	// (the ASCII profile): marks must then be glyphs.
	Plain bool

	// Port ranges (IANA) and the OS ephemeral marker.
	WellKnown  lipgloss.Style
	Registered lipgloss.Style
	Dynamic    lipgloss.Style
	Ephemeral  lipgloss.Style

	// Events and lingering/new rows.
	Opened  lipgloss.Style
	Closed  lipgloss.Style
	Changed lipgloss.Style
	New     lipgloss.Style // a row that just appeared: bold on top of its colour
	Gone    lipgloss.Style // a row that just closed: faint

	// Chrome.
	Text         lipgloss.Style
	Muted        lipgloss.Style
	Accent       lipgloss.Style
	Warning      lipgloss.Style
	Error        lipgloss.Style
	Title        lipgloss.Style
	ColumnHeader lipgloss.Style
	Cursor       lipgloss.Style // reverse video so it shows without colour
	Badge        lipgloss.Style
	Pane         lipgloss.Style // border around overlays
	FocusedTitle lipgloss.Style
}

// New builds the styles for one renderer and palette.
func New(r *lipgloss.Renderer, p theme.Palette) Styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	fg := func(c lipgloss.AdaptiveColor) lipgloss.Style { return r.NewStyle().Foreground(native(r, c)) }
	return Styles{
		Renderer:     r,
		Palette:      p,
		Plain:        r.ColorProfile() == termenv.Ascii,
		WellKnown:    fg(p.WellKnown),
		Registered:   fg(p.Registered),
		Dynamic:      fg(p.Dynamic),
		Ephemeral:    fg(p.Ephemeral).Bold(true),
		Opened:       fg(p.Opened),
		Closed:       fg(p.Closed),
		Changed:      fg(p.Changed),
		New:          r.NewStyle().Bold(true),
		Gone:         fg(p.Closed).Faint(true),
		Text:         fg(p.Text),
		Muted:        fg(p.Muted),
		Accent:       fg(p.Accent).Bold(true),
		Warning:      fg(p.Warning).Bold(true),
		Error:        fg(p.Error).Bold(true),
		Title:        fg(p.Accent).Bold(true),
		ColumnHeader: fg(p.Muted).Bold(true).Underline(true),
		Cursor:       r.NewStyle().Reverse(true).Background(native(r, p.Selection)),
		Badge:        r.NewStyle().Reverse(true).Bold(true).Padding(0, 1),
		Pane:         r.NewStyle().Border(lipgloss.NormalBorder()).BorderForeground(native(r, p.Accent)).Padding(0, 1),
		FocusedTitle: fg(p.Accent).Bold(true).Underline(true),
	}
}

// native is c as the renderer writes it, resolved once: for its background,
// and in a 256- or 16-colour profile as the colour's number there. Given
// the palette's hex colours, lipgloss resolves them at every Render, and in
// a 256-colour terminal (tmux's default) finds the nearest of the 256 by a
// colour-space distance each time: 15% of the live view's View, per styled
// cell. The escape codes written are the same.
func native(r *lipgloss.Renderer, c lipgloss.AdaptiveColor) lipgloss.TerminalColor {
	hex := c.Light
	if r.HasDarkBackground() {
		hex = c.Dark
	}
	switch v := r.ColorProfile().Color(hex).(type) {
	case termenv.ANSI256Color:
		return lipgloss.Color(strconv.Itoa(int(v)))
	case termenv.ANSIColor:
		return lipgloss.Color(strconv.Itoa(int(v)))
	}
	return c
}
