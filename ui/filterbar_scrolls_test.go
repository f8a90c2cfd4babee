package ui

import (
	"io"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// longFilter is the QA report's: longer than the line at 100 columns.
const longFilter = "127.0.0.1 listen established time-wait 27431,18080,18081,18082 proc:python3 proc:curl uid:0 pid:5217 registered ENDMARK"

// reverseVideo is how the cursor is drawn with colours on.
const reverseVideo = "\x1b[7m"

// colourModel is a test model drawing with escape codes, so the cursor
// (reverse video) can be seen.
func colourModel(t *testing.T, w, h int) Model {
	t.Helper()
	cfg := testConfig(&clock{t: t0})
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI)
	r.SetHasDarkBackground(true)
	cfg.Renderer = r
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return update(m, tea.WindowSizeMsg{Width: w, Height: h}, firstBatch(t0, baseSockets()))
}

// filterLine is the screen's `/` line, as drawn.
func filterLine(t *testing.T, m Model) string {
	t.Helper()
	for _, l := range strings.Split(m.View(), "\n") {
		if strings.HasPrefix(ansi.Strip(l), "/ ") {
			return l
		}
	}
	t.Fatalf("no filter line on screen:\n%s", ansi.Strip(m.View()))
	return ""
}

// assertShowsEnd checks the line fits in w and shows the end of the text
// with the cursor just after it.
func assertShowsEnd(t *testing.T, line string, w int, end string) {
	t.Helper()
	plain := ansi.Strip(line)
	if got := ansi.StringWidth(line); got > w {
		t.Errorf("filter line is %d cells wide, the screen %d:\n%s", got, w, plain)
	}
	i := strings.LastIndex(line, end)
	if i < 0 {
		t.Fatalf("filter line does not show the end of the text (%q):\n%s", end, plain)
	}
	if !strings.Contains(line[i+len(end):], reverseVideo) {
		t.Errorf("no cursor after %q on the filter line:\n%q", end, line)
	}
}

// TestFilterLineScrollsToTheCursor: typing past the width of the screen
// scrolls the line, so the text being typed and the cursor stay in view,
// key by key, pasted at once, and after the terminal narrows.
func TestFilterLineScrollsToTheCursor(t *testing.T) {
	typed := update(colourModel(t, 100, 30), keys("/"+longFilter)...)
	assertShowsEnd(t, filterLine(t, typed), 100, "ENDMARK")

	pasted := update(colourModel(t, 100, 30), keys("/")...)
	pasted = update(pasted, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(longFilter), Paste: true})
	assertShowsEnd(t, filterLine(t, pasted), 100, "ENDMARK")

	narrowed := update(typed, tea.WindowSizeMsg{Width: 70, Height: 30})
	assertShowsEnd(t, filterLine(t, narrowed), 70, "ENDMARK")

	// Back to the start: the start shows again, still within the width.
	home := update(typed, tea.KeyMsg{Type: tea.KeyHome})
	if line := ansi.Strip(filterLine(t, home)); !strings.HasPrefix(line, "/ 127.0.0.1 listen") || ansi.StringWidth(line) > 100 {
		t.Errorf("home should show the start of the text:\n%s", line)
	}
}

// TestFilterLineNeverCutsSilently: a long paste is taken whole; one past
// what the line holds is cut, and the status line says so.
func TestFilterLineNeverCutsSilently(t *testing.T) {
	long := strings.Repeat("27431,", 178) + "ENDMARK" // 1,075 characters
	m := update(colourModel(t, 100, 30), keys("/")...)
	m = update(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(long), Paste: true})
	if got := m.bar.Value(); got != long {
		t.Errorf("a %d-character paste became %d characters", len(long), len(got))
	}
	assertShowsEnd(t, filterLine(t, m), 100, "ENDMARK")

	huge := strings.Repeat("x", 100_000)
	m = update(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(huge), Paste: true})
	taken := len(m.bar.Value()) - len(long)
	if taken == len(huge) {
		return // taken whole: nothing was cut
	}
	if status := ansi.Strip(m.statusLine()); !strings.Contains(status, "at most") {
		t.Errorf("%d of %d pasted characters dropped, and the status line does not say so: %q", len(huge)-taken, len(huge), status)
	}
}
