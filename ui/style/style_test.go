package style

import (
	"io"
	"reflect"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/ui/theme"
)

func renderer(p termenv.Profile, dark bool) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	r.SetHasDarkBackground(dark)
	return r
}

// Colours resolved once (native) write the escape codes lipgloss writes
// resolving the palette's at each Render, in every profile, on either
// background, for every colour of every theme.
func TestNativeColoursWriteWhatLipglossWrites(t *testing.T) {
	profiles := []termenv.Profile{termenv.TrueColor, termenv.ANSI256, termenv.ANSI, termenv.Ascii}
	for _, p := range profiles {
		for _, dark := range []bool{true, false} {
			r := renderer(p, dark)
			for _, pal := range append(theme.All, theme.NoColor) {
				v := reflect.ValueOf(pal)
				for i := range v.NumField() {
					c, ok := v.Field(i).Interface().(lipgloss.AdaptiveColor)
					if !ok {
						continue
					}
					want := r.NewStyle().Foreground(c).Background(c).Render("x")
					got := r.NewStyle().Foreground(native(r, c)).Background(native(r, c)).Render("x")
					if got != want {
						t.Errorf("profile %v, dark %v, %s %s: %q, lipgloss writes %q", p, dark, pal.Name, v.Type().Field(i).Name, got, want)
					}
				}
			}
		}
	}
}

// A styled cell in a 256-colour terminal (tmux's default), as the live
// view draws each row's port and state: the palette's hex colour resolved
// at each Render, and resolved once.
func BenchmarkStyledCell256(b *testing.B) {
	r := renderer(termenv.ANSI256, true)
	c := theme.Default.WellKnown
	for _, bc := range []struct {
		name string
		st   lipgloss.Style
	}{
		{"hex", r.NewStyle().Foreground(c)},
		{"native", r.NewStyle().Foreground(native(r, c))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = bc.st.Render("443")
			}
		})
	}
}
