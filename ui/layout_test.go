package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// TestTooSmallSaysTheSizeNeeded: on a terminal smaller than porttop needs,
// the screen says the size it needs, wrapped to fit, whatever the size:
// in full while it fits, then shorter, down to the bare size.
func TestTooSmallSaysTheSizeNeeded(t *testing.T) {
	need := fmt.Sprintf("%dx%d", MinWidth, MinHeight)
	tests := []struct {
		w, h int
		want []string // each on screen, whole, once spaces and line ends are squeezed out
	}{
		{50, 12, []string{"porttop needs a terminal of at least " + need, "this one is 50x12", "press q to quit"}},
		{40, 10, []string{"porttop needs a terminal of at least " + need, "this one is 40x10", "press q to quit"}},
		{20, 5, []string{"porttop needs " + need, "this is 20x5", "q quits"}},
		{12, 2, []string{"need " + need}},
		{6, 1, []string{need}},
		{MinWidth - 1, MinHeight, []string{need, fmt.Sprintf("this one is %dx%d", MinWidth-1, MinHeight)}},
		{MinWidth, MinHeight - 1, []string{need}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d", tt.w, tt.h), func(t *testing.T) {
			m := update(newTestModel(t, &clock{t: t0}, tt.w, tt.h), firstBatch(t0, baseSockets()))
			v := m.View()
			lines := strings.Split(v, "\n")
			if len(lines) > tt.h {
				t.Errorf("%d lines on a %d-line screen:\n%s", len(lines), tt.h, v)
			}
			var words []string
			for _, l := range lines {
				if lw := ansi.StringWidth(l); lw > tt.w {
					t.Errorf("line %q is %d wide, the screen %d", l, lw, tt.w)
				}
				words = append(words, strings.Fields(l)...)
			}
			text := strings.Join(words, " ")
			for _, want := range tt.want {
				if !strings.Contains(text, want) && !strings.Contains(strings.ReplaceAll(text, " ", ""), strings.ReplaceAll(want, " ", "")) {
					t.Errorf("screen does not say %q:\n%s", want, v)
				}
			}
		})
	}
	// A resize to a usable size brings the screen back.
	m := update(newTestModel(t, &clock{t: t0}, 40, 10), firstBatch(t0, baseSockets()), tea.WindowSizeMsg{Width: 100, Height: 30})
	if v := m.View(); !strings.Contains(v, "PRT  LOCAL") {
		t.Errorf("enlarged to 100x30, the table should show:\n%s", v)
	}
}
