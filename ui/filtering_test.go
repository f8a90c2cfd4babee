package ui

import (
	"io"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/filter"
)

func TestNewRejectsBadFilter(t *testing.T) {
	c := &clock{t: t0}
	cfg := testConfig(c)
	cfg.Filter = "port:70000"
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "70000") {
		t.Fatalf("New with a bad filter: err = %v", err)
	}
	cfg.Filter = "60716"
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := m.singlePort(); !ok || p != 60716 {
		t.Errorf("initial filter not a single port: %d %v", p, ok)
	}
	cfg.Feed = nil
	if _, err := New(cfg); err == nil {
		t.Error("New without a feed should fail")
	}
}

func TestFilterNarrowsButHeaderStaysMachineWide(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	focus := scriptOf(m)
	m = update(m, firstBatch(t0, baseSockets()), batchCurlOpens())
	m = update(m, keys("/tcp listen")...)
	next, _ := m.Update(enter())
	m = next.(Model)
	if focus.query == nil {
		t.Fatal("applying a filter should tell the feed")
	}
	m = merged(m)
	if len(focus.asked) != 1 || len(focus.asked[0].q.Protos) != 1 || focus.asked[0].q.Protos[0] != sampler.TCP {
		t.Errorf("focus asked: %+v", focus.asked)
	}
	if m.table.Len() != 3 {
		t.Errorf("tcp listen: %d rows, want 3", m.table.Len())
	}
	if m.stats.counts.Sockets != 7 || !strings.Contains(m.View(), "7 sockets:") {
		t.Errorf("header must count every socket: %d", m.stats.counts.Sockets)
	}
	// Esc with the bar closed clears the filter.
	m = update(m, esc())
	if !m.filter.IsZero() || m.table.Len() != 7 {
		t.Errorf("esc did not clear: %q, %d rows", m.filter.String(), m.table.Len())
	}
}

func TestBadFilterKeepsTheOldOne(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	m = update(m, firstBatch(t0, baseSockets()))
	m = update(m, append(keys("/22"), enter())...)
	m = update(m, append(keys("/ proc:"), enter())...)
	if m.filter.String() != "22" {
		t.Errorf("filter in force %q, want the old 22", m.filter.String())
	}
	if !m.status.isErr || !m.bar.IsOpen() {
		t.Errorf("a bad filter should leave the line open with an error: %+v open=%v", m.status, m.bar.IsOpen())
	}
	m = update(m, esc())
	if m.bar.IsOpen() || m.filter.String() != "22" {
		t.Errorf("esc should close the line and keep the filter in force")
	}
}

// `?` shows the filter syntax, every line of it, and what enter and esc do
// in the filter line.
func TestHelpShowsFilterSyntax(t *testing.T) {
	m := newTestModel(t, &clock{t: t0}, 100, 30)
	text := m.helpText(96)
	flat := strings.Join(strings.Fields(text), " ")
	for _, l := range filter.Syntax {
		if !strings.Contains(flat, strings.Join(strings.Fields(l), " ")) {
			t.Errorf("help lacks the syntax line %q:\n%s", l, text)
		}
	}
	if !strings.Contains(flat, "esc cancels the edit and keeps the filter in force") {
		t.Errorf("help does not say what esc does in the filter line:\n%s", text)
	}
}

// esc in the filter line cancels the edit: the line closes and the filter
// that was applied stays in force, as a shell's or less's search line does.
func TestEscInFilterLineKeepsTheFilter(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	m = update(m, firstBatch(t0, baseSockets()))
	m = update(m, append(keys("/22"), enter())...)
	rows := m.table.Len()
	m = update(m, keys("/")...)
	m = update(m, keys("0,443")...)
	m = update(m, esc())
	if m.bar.IsOpen() {
		t.Error("esc left the filter line open")
	}
	if m.filter.String() != "22" || m.table.Len() != rows {
		t.Errorf("esc changed the filter in force to %q (%d rows, want 22 and %d)", m.filter.String(), m.table.Len(), rows)
	}
	// Reopened, the line holds the filter in force, not the cancelled edit.
	m = update(m, keys("/")...)
	if got := m.bar.Value(); got != "22" {
		t.Errorf("the reopened line holds %q, want 22", got)
	}
	// An empty line applied clears it.
	for range 2 {
		m = update(m, tea.KeyMsg{Type: tea.KeyBackspace})
	}
	m = update(m, enter())
	if !m.filter.IsZero() {
		t.Errorf("an empty line applied left the filter %q", m.filter.String())
	}
}

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

// TestFeedExistingLineFollowsTheFilter: the feed's `=` line counts the
// sockets already open that the filter matches, like the table beside it,
// from --filter on and as the filter changes.
func TestFeedExistingLineFollowsTheFilter(t *testing.T) {
	cfg := testConfig(&clock{t: t0})
	cfg.Filter = "22" // sshd's listener and its connection
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m = update(m, tea.WindowSizeMsg{Width: 100, Height: 30}, firstBatch(t0, baseSockets()))
	if v := m.View(); !strings.Contains(v, "= 2 sockets already open") {
		t.Errorf("--filter 22: want the 2 sockets on port 22 counted:\n%s", v)
	}
	m = update(m, keys("/")...)
	m = update(m, tea.KeyMsg{Type: tea.KeyCtrlU})
	m = update(m, keys("listen")...)
	m = update(m, tea.KeyMsg{Type: tea.KeyEnter})
	if v := m.View(); !strings.Contains(v, "= 3 sockets already open") {
		t.Errorf("filter listen: want the 3 listeners counted:\n%s", v)
	}
	m = update(m, escKey)
	if v := m.View(); !strings.Contains(v, "= 6 sockets already open") {
		t.Errorf("filter cleared: want all 6 counted:\n%s", v)
	}
}

// FuzzFilterLine types anything into the `/` line and presses Enter: the
// model must not panic, and a rejected filter must leave the old one.
func FuzzFilterLine(f *testing.F) {
	for _, s := range []string{"22", "port:99999", "proc:", "tcp udp listen", "1-", "-5", "ephemeral 443", "pid:x", "\x00", "22,,443", "65535-0"} {
		f.Add(s)
	}
	c := &clock{t: t0}
	base := newTestModel(f, c, 100, 30)
	base = update(base, firstBatch(t0, baseSockets()))
	base = update(base, append(keys("/22"), enter())...)
	f.Fuzz(func(t *testing.T, text string) {
		m := update(base, keys("/ ")...) // the line opens holding "22"
		m = update(m, keys(text)...)
		m = update(m, enter())
		if m.status.isErr && m.filter.String() != "22" {
			t.Fatalf("rejected %q but the filter became %q", text, m.filter.String())
		}
		_ = m.View()
	})
}
