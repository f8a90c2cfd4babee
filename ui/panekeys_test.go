package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// scrolledPercent is the scroll position an open pane's footer shows.
func scrolledPercent(t *testing.T, view string) string {
	t.Helper()
	for _, line := range strings.Split(view, "\n") {
		if i := strings.Index(line, "scroll  "); i >= 0 {
			return strings.Fields(line[i+len("scroll"):])[0]
		}
	}
	t.Fatalf("no scroll position in:\n%s", view)
	return ""
}

// TestHomeEndInPanes: home and end (and g, G) go to the top and the bottom
// of the explain pane and of the help overlay, which scroll when the
// terminal is small.
func TestHomeEndInPanes(t *testing.T) {
	home, end := tea.KeyMsg{Type: tea.KeyHome}, tea.KeyMsg{Type: tea.KeyEnd}
	for _, open := range []string{"jji", "?"} {
		m := update(newTestModel(t, &clock{t: t0}, 60, 20), firstBatch(t0, baseSockets()))
		m = update(m, keys(open)...)
		if got := scrolledPercent(t, m.View()); got != "0%" {
			t.Fatalf("%q: pane opened at %s", open, got)
		}
		for _, step := range []struct {
			name string
			msgs []tea.Msg
			want string
		}{
			{"end", []tea.Msg{end}, "100%"},
			{"home", []tea.Msg{home}, "0%"},
			{"G", keys("G"), "100%"},
			{"g", keys("g"), "0%"},
		} {
			m = update(m, step.msgs...)
			if got := scrolledPercent(t, m.View()); got != step.want {
				t.Errorf("%q then %s: pane at %s, want %s", open, step.name, got, step.want)
			}
		}
		if !m.explain.IsOpen() && !m.showHelp {
			t.Errorf("%q: home/end closed the pane", open)
		}
	}
}
