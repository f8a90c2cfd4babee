package ui

import (
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/sampler"
)

// Names a local user can give a process (prctl(PR_SET_NAME)) or write in a
// recording: a title-setting OSC, colours, and line breakers. The SGR in
// the first is one lipgloss never writes, so finding it raw means the name
// reached the screen unescaped.
const (
	hostileTitle = "\x1b]2;PWNED\x07\x1b[5;35;1m"
	hostileLines = "X\rY\tZ\nW"
	hostileC1    = "\u009b2J\u202egnp"
	hostileHost  = "host\x1b]52;c;aGk=\x07\n"
)

var sgr = regexp.MustCompile("\x1b\\[[0-9;:]*m")

// checkScreen fails on any control byte in a rendered screen other than a
// newline or an SGR sequence, and on a screen that is not h lines of at
// most w cells.
func checkScreen(t *testing.T, what, screen string, w, h int) {
	t.Helper()
	if strings.Contains(screen, "\x1b[5;35;1m") {
		t.Errorf("%s: the hostile name's colour sequence reached the screen raw", what)
	}
	plain := sgr.ReplaceAllString(screen, "")
	for i, r := range plain {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x202e || r == utf8.RuneError {
			t.Fatalf("%s: control character %U at byte %d: %q", what, r, i, plain[max(0, i-30):min(len(plain), i+30)])
		}
	}
	lines := strings.Split(screen, "\n")
	if len(lines) != h {
		t.Errorf("%s: %d lines, want %d (a name spilled onto another line?)\n%s", what, len(lines), h, plain)
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			t.Errorf("%s: line %d is %d cells wide, more than %d", what, i+1, ansi.StringWidth(l), w)
		}
	}
}

func colourRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	r.SetHasDarkBackground(true)
	return r
}

// Every view that shows a name: the table, the feed, the explain pane, the
// churn panel, the header's host, with colour on.
func TestHostileNamesAreEscapedInEveryView(t *testing.T) {
	const w, h = 140, 40
	c := &clock{t: t0}
	cfg := testConfig(c)
	cfg.Renderer = colourRenderer()
	cfg.Host = hostileHost
	cfg.OS = "linux\x1b[2J"
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m = update(m, tea.WindowSizeMsg{Width: w, Height: h})
	socks := []sampler.Socket{
		sock(sampler.TCP, "127.0.0.1:7001", "", sampler.StateListen, 4001, hostileTitle, t0.Add(-time.Minute)),
		sock(sampler.TCP, "127.0.0.1:7002", "", sampler.StateListen, 4002, hostileLines, t0.Add(-time.Minute)),
		sock(sampler.TCP, "127.0.0.1:7003", "", sampler.StateListen, 4003, hostileC1, t0.Add(-time.Minute)),
	}
	m = update(m, firstBatch(t0, socks[:1]))
	c.advance(time.Second)
	var evs []sampler.Event
	for _, s := range socks[1:] {
		evs = append(evs, sampler.Event{Kind: sampler.Opened, Time: c.t, Socket: s})
	}
	m = update(m, nextBatchMsg(c.t, socks, evs...))

	screen := m.View()
	checkScreen(t, "table and feed", screen, w, h)
	for _, want := range []string{`\x1b]2;PWNED`, `X\rY\tZ\nW`, `\u009b2J`, `host\x1b]52;c;aGk=\a\n`} {
		if !strings.Contains(sgr.ReplaceAllString(screen, ""), want) {
			t.Errorf("the screen does not show %q escaped:\n%s", want, sgr.ReplaceAllString(screen, ""))
		}
	}
	for _, k := range []string{"g", "j", "j"} { // each row's explain pane
		m = update(m, keys(k)...)
		m = update(m, tea.KeyMsg{Type: tea.KeyEnter})
		checkScreen(t, "explain pane", m.View(), w, h)
		m = update(m, tea.KeyMsg{Type: tea.KeyEsc})
	}
	m = update(m, keys("c")...)
	checkScreen(t, "churn panel", m.View(), w, h)
}
