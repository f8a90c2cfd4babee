package ui

import (
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/ui/theme"
)

// TestHelpSaysWhetherColourIsOn: the help says LOCAL is coloured only when
// it is; NO_COLOR's palette and the ASCII profile point to the explain pane.
func TestHelpSaysWhetherColourIsOn(t *testing.T) {
	ansi := func() *lipgloss.Renderer {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.ANSI256)
		r.SetHasDarkBackground(true)
		return r
	}
	for _, tc := range []struct {
		name     string
		renderer *lipgloss.Renderer
		palette  theme.Palette
		want     string
	}{
		{"colour", ansi(), theme.Default, "LOCAL is coloured"},
		{"NO_COLOR", ansi(), theme.NoColor, "colour is off"},
		{"ASCII", asciiRenderer(), theme.Default, "colour is off"},
	} {
		cfg := testConfig(&clock{t: t0})
		cfg.Renderer, cfg.Palette = tc.renderer, tc.palette
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.helpText(100); !strings.Contains(got, tc.want) {
			t.Errorf("%s: help lacks %q:\n%s", tc.name, tc.want, got)
		}
	}
}
