package portmap

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// TestViewGolden draws the scripted machine with the cursor moved onto the
// burst; run with -update to rewrite testdata after a deliberate change.
func TestViewGolden(t *testing.T) {
	for _, size := range [][2]int{{60, 20}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			snap, events := scripted()
			m := New(plainStyles(), linuxEphemeral).Observe(snap, events, scriptNow)
			viewAt(m, size[0], size[1])
			for _, k := range []string{"down", "right", "right"} {
				m, _ = m.Update(keyMsg(k))
			}
			out := viewAt(m, size[0], size[1])
			checkFits(t, out, size[0], size[1])
			golden.RequireEqual(t, []byte(out))
		})
	}
}

// checkFits fails when a view is wider or taller than its area.
func checkFits(t *testing.T, out string, width, height int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) > height {
		t.Errorf("%d lines; want at most %d", len(lines), height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("line %d is %d wide; want at most %d: %q", i, w, width, l)
		}
	}
}

func TestViewFitsAnyArea(t *testing.T) {
	snap, events := scripted()
	m := New(plainStyles(), linuxEphemeral).Observe(snap, events, scriptNow)
	for _, size := range [][2]int{{60, 20}, {200, 60}, {80, 24}, {20, 5}, {10, 3}, {8, 1}, {1, 1}} {
		out := viewAt(m, size[0], size[1])
		if out == "" {
			t.Errorf("%dx%d: empty view", size[0], size[1])
		}
		checkFits(t, out, size[0], size[1])
	}
}

func TestViewDescribesCursorBlock(t *testing.T) {
	snap, events := scripted()
	m := New(plainStyles(), linuxEphemeral).Observe(snap, events, scriptNow)
	viewAt(m, 60, 20)
	// 35700-35709 flash; they are in the 78-port cell starting at 35646.
	for m.Selected().Hi < 35700 {
		m, _ = m.Update(keyMsg("right"))
	}
	out := viewAt(m, 60, 20)
	want := "ports 35646-35723 registered, ephemeral: 78 used, 10 new"
	if !strings.Contains(out, want) {
		t.Errorf("view lacks %q:\n%s", want, out)
	}
	m, _ = m.Update(keyMsg("home"))
	out = viewAt(m, 60, 20)
	for _, want := range []string{"ports 0-77 (well-known): 2 in use", "in use: 22 ssh 53 domain"} {
		if !strings.Contains(out, want) {
			t.Errorf("view lacks %q:\n%s", want, out)
		}
	}
}

// viewAt draws m into width x height as the parent does: SetSize, then View.
func viewAt(m Model, width, height int) string {
	m.SetSize(width, height)
	return m.View()
}
