package portmap

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/style"
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

// NewStyles derives the map's styles from the screen's one set: the range
// colours, chrome and renderer are the same as everywhere else; only the
// ephemeral tint behind a cell and the flash are the map's own.
func NewStyles(st style.Styles) Styles {
	p := st.Palette
	tint := lipgloss.AdaptiveColor{
		Light: mixHex(p.Ephemeral.Light, "#FFFFFF", 0.8),
		Dark:  mixHex(p.Ephemeral.Dark, "#000000", 0.72),
	}
	s := Styles{
		Plain:  st.Plain,
		flash:  st.Renderer.NewStyle().Bold(true).Reverse(true),
		marker: st.Ephemeral,
		muted:  st.Muted,
		text:   st.Text,
		accent: st.Accent,
	}
	s.class[0] = st.Muted
	s.class[ports.WellKnown] = st.WellKnown
	s.class[ports.Registered] = st.Registered
	s.class[ports.Dynamic] = st.Dynamic
	for c := range s.class {
		s.classEph[c] = s.class[c].Background(tint)
	}
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
