package portmap

import (
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/ui/style"
	"github.com/porttop/porttop/ui/theme"
)

// TestColourProfileUsesAttributes checks the colour rendering the goldens
// cannot show: with colour, the cursor and flashes keep their density glyph
// and are shown by attributes, and ephemeral cells get a background.
func TestColourProfileUsesAttributes(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	r.SetHasDarkBackground(true)
	st := NewStyles(style.New(r, theme.Default))
	if st.Plain {
		t.Fatal("a true-colour renderer gave plain styles")
	}
	snap, events := scripted()
	m := New(st, linuxEphemeral).Observe(snap, events, scriptNow)
	out := viewAt(m, 60, 20)
	for _, glyph := range []string{"◆", "*"} {
		if strings.Contains(out, glyph) {
			t.Errorf("colour view uses the plain stand-in %q", glyph)
		}
	}
	// Registered is #5FA8FF, the ephemeral tint #163A37 (#4DD0C4 darkened).
	for name, seq := range map[string]string{
		"flash: bold reverse on the class colour and tint": "\x1b[1;7;38;2;95;168;255;48;2;22;58;55m",
		"cursor: underlined reverse":                       "\x1b[4;7;38;2;95;168;255;48;2;22;58;55",
		"ephemeral dynamic cells (#C98BFF) on the tint":    "\x1b[38;2;201;139;255;48;2;22;58;55m",
		"registered cells outside the ephemeral range":     "\x1b[38;2;95;168;255m",
	} {
		if !strings.Contains(out, seq) {
			t.Errorf("colour view has no %s (%q)", name, seq)
		}
	}
}
