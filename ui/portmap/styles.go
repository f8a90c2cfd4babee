package portmap

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/theme"
)

// Styles is what the map is drawn with. Build it with NewStyles.
type Styles struct {
	// Plain is set when the renderer shows neither colour nor attributes
	// (the ASCII profile, NO_COLOR): the cursor and flashes then get glyphs.
	Plain bool
	// class and classEph are indexed by ports.Class; classEph adds the
	// ephemeral tint behind the glyph.
	class    [4]lipgloss.Style
	classEph [4]lipgloss.Style
	flash    lipgloss.Style // the legend's sample of a flash
	marker   lipgloss.Style // ephemeral gutter and axis marks
	muted    lipgloss.Style
	text     lipgloss.Style
	accent   lipgloss.Style
}

// NewStyles builds the map's styles for one renderer and palette; a nil
// renderer means lipgloss's default one.
func NewStyles(r *lipgloss.Renderer, p theme.Palette) Styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	tint := lipgloss.AdaptiveColor{
		Light: mixHex(p.Ephemeral.Light, "#FFFFFF", 0.8),
		Dark:  mixHex(p.Ephemeral.Dark, "#000000", 0.72),
	}
	var s Styles
	s.Plain = r.ColorProfile() == termenv.Ascii
	for c, col := range map[ports.Class]lipgloss.AdaptiveColor{
		ports.WellKnown: p.WellKnown, ports.Registered: p.Registered, ports.Dynamic: p.Dynamic,
	} {
		s.class[c] = r.NewStyle().Foreground(col)
		s.classEph[c] = s.class[c].Background(tint)
	}
	s.class[0] = r.NewStyle().Foreground(p.Muted)
	s.classEph[0] = s.class[0].Background(tint)
	s.flash = r.NewStyle().Bold(true).Reverse(true)
	s.marker = r.NewStyle().Foreground(p.Ephemeral).Bold(true)
	s.muted = r.NewStyle().Foreground(p.Muted)
	s.text = r.NewStyle().Foreground(p.Text)
	s.accent = r.NewStyle().Foreground(p.Accent).Bold(true)
	return s
}

// cellStyle is the style of one cell; it only ever adds attributes to the
// class style, so the class colour survives a flash or the cursor.
func (s Styles) cellStyle(k cellKind) lipgloss.Style {
	st := s.class[k.class]
	if k.ephemeral {
		st = s.classEph[k.class]
	}
	switch {
	case k.cursor:
		st = st.Reverse(true).Underline(true)
	case k.flash:
		st = st.Bold(true).Reverse(true)
	}
	return st
}
