package header

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/style"
	"github.com/porttop/porttop/ui/theme"
)

// The badge says the screen is not live: at 80 and 100 columns, with a long
// host name and a filtered view's sampling on the line, it was cut off. It
// wins; the rest of the line is cut instead.
func TestBadgeWinsOverTheLine(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	st := style.New(r, theme.Default)
	in := Info{
		Host: "build-runner-07.eu-west.example.internal", OS: "linux", Source: "netlink",
		Ephemeral: ports.Range{Lo: 32768, Hi: 60999},
		Interval:  time.Second, Cost: 2 * time.Millisecond,
		FocusInterval: 100 * time.Millisecond, FocusCost: 350 * time.Microsecond,
	}
	for _, badge := range [][]string{{"PAUSED"}, {"REPLAY paused 1x 10/300"}} {
		in.Badges = badge
		for _, w := range []int{80, 100} {
			first, _, _ := strings.Cut(View(st, in, w), "\n")
			if !strings.HasSuffix(strings.TrimRight(first, " "), badge[0]) || lipgloss.Width(first) > w {
				t.Errorf("width %d: first line %q does not end with %q within the width", w, first, badge[0])
			}
			if !strings.HasPrefix(first, "porttop") {
				t.Errorf("width %d: first line %q lost its title", w, first)
			}
		}
	}
	in.Badges = []string{"PAUSED"}
	if first, _, _ := strings.Cut(View(st, in, 6), "\n"); lipgloss.Width(first) > 6 {
		t.Errorf("width 6: %q", first)
	}
}
