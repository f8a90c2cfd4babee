package ui

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/live"
)

var escKey = tea.KeyMsg{Type: tea.KeyEsc}

// TestEscClosesMapAndChurnFirst: esc closes the port map and the churn
// panel, back to the table and the feed, and keeps the filter; esc on the
// plain table then clears the filter, as before.
func TestEscClosesMapAndChurnFirst(t *testing.T) {
	tests := []struct {
		name, open string
		gone       string // on screen while open, gone once closed
	}{
		{"map", "m", "0-65k"},
		{"churn", "c", "port churn"},
		{"map and churn", "mc", "0-65k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: t0}
			cfg := testConfig(c)
			cfg.Filter = "22,8080"
			m, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			m = update(m, tea.WindowSizeMsg{Width: 100, Height: 30}, firstBatch(t0, baseSockets()))
			m = update(m, keys(tt.open)...)
			if v := m.View(); !strings.Contains(v, tt.gone) {
				t.Fatalf("%q did not open %s:\n%s", tt.open, tt.name, v)
			}

			m = update(m, escKey)
			v := m.View()
			if strings.Contains(v, tt.gone) || !strings.Contains(v, "PRT  LOCAL") || !strings.Contains(v, "EVENTS newest first") {
				t.Errorf("esc should close the %s, back to the table and the feed:\n%s", tt.name, v)
			}
			if m.filter.IsZero() || strings.Contains(v, "filter cleared") {
				t.Errorf("esc closing the %s cleared the filter:\n%s", tt.name, v)
			}
			if !strings.Contains(m.statusLine(), "filter: 22,8080") {
				t.Errorf("status line does not show the filter kept: %q", m.statusLine())
			}

			m = update(m, escKey)
			if !m.filter.IsZero() || !strings.Contains(m.statusLine(), "filter cleared") {
				t.Errorf("esc on the plain table should clear the filter: %q", m.statusLine())
			}
		})
	}
}

// runes is one message carrying several runes, as bubbletea delivers keys
// that arrive in one read (fast typing, a paste, a batching SSH link).
func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// yieldsQuit reports whether running cmd (and any batch it returns) quits.
func yieldsQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	switch msg := cmd().(type) {
	case tea.QuitMsg:
		return true
	case tea.BatchMsg:
		for _, c := range msg {
			if yieldsQuit(c) {
				return true
			}
		}
	}
	return false
}

// TestRunesReadTogetherAreEachAKey: a multi-rune message does what its runes
// typed apart do, in order, on the main screen, the map and the panes.
func TestRunesReadTogetherAreEachAKey(t *testing.T) {
	for _, text := range []string{"jjjj", "jjk", "sss", "ssj", "jji", "?j", "mjj", "jG", "c jj"} {
		t.Run(text, func(t *testing.T) {
			apart := update(newTestModel(t, &clock{t: t0}, 100, 30), firstBatch(t0, baseSockets()))
			together := apart
			apart = update(apart, keys(text)...)
			together = update(together, runes(text))
			if got, want := together.View(), apart.View(); got != want {
				t.Errorf("%q in one message draws\n%s\nwant (typed apart)\n%s", text, got, want)
			}
		})
	}
	// The test means something: four j's in one message move the cursor.
	m := update(newTestModel(t, &clock{t: t0}, 100, 30), firstBatch(t0, baseSockets()))
	before, _ := m.table.Selected()
	after, _ := update(m, runes("jjjj")).table.Selected()
	if before.ID == after.ID {
		t.Errorf(`"jjjj" in one message left the cursor on %v`, before.ID)
	}
}

// TestRunesReadTogetherQuit: "qq" quits, and the runes after a quit are dropped.
func TestRunesReadTogetherQuit(t *testing.T) {
	m := update(newTestModel(t, &clock{t: t0}, 100, 30), firstBatch(t0, baseSockets()))
	sort := m.table.Sort()
	next, cmd := m.Update(runes("qs"))
	nm := next.(Model)
	if nm.ctx.Err() == nil || !yieldsQuit(cmd) {
		t.Fatalf(`"qs" in one message did not quit (ctx err %v)`, nm.ctx.Err())
	}
	if nm.table.Sort() != sort {
		t.Errorf("a key after the quit was handled: sort %v, was %v", nm.table.Sort(), sort)
	}
	next, cmd = update(newTestModel(t, &clock{t: t0}, 100, 30), firstBatch(t0, baseSockets())).Update(runes("qq"))
	if next.(Model).ctx.Err() == nil || !yieldsQuit(cmd) {
		t.Error(`"qq" in one message did not quit`)
	}
}

// TestRunesReadTogetherIntoTheFilterLine: a paste into the open filter line
// is text, whole (q and j included); runes after a `/` that opens it are its
// text too.
func TestRunesReadTogetherIntoTheFilterLine(t *testing.T) {
	m := update(newTestModel(t, &clock{t: t0}, 100, 30), firstBatch(t0, baseSockets()))
	opened := update(m, runes("/22 q"))
	if !opened.bar.IsOpen() || opened.bar.Value() != "22 q" {
		t.Errorf(`"/22 q" in one message: bar open %v, text %q; want open with "22 q"`, opened.bar.IsOpen(), opened.bar.Value())
	}
	pasted := update(m, keys("/")...)
	pasted = update(pasted, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("sshd jq"), Paste: true})
	if pasted.ctx.Err() != nil || pasted.bar.Value() != "sshd jq" {
		t.Errorf("paste into the filter line: text %q, quit %v; want the whole paste as text", pasted.bar.Value(), pasted.ctx.Err() != nil)
	}
}

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

// blockingFeed's Next waits until released: a feed far slower than the UI.
type blockingFeed struct {
	release chan struct{}
	calls   chan struct{}
}

func (f *blockingFeed) Next(ctx context.Context) (live.Batch, error) {
	f.calls <- struct{}{}
	select {
	case <-f.release:
		return live.Alone(sampler.Batch{Source: "slow"}), nil
	case <-ctx.Done():
		return live.Batch{}, ctx.Err()
	}
}

// TestKeysDoNotWaitOnTheFeed: the feed is only called from a command, so
// Update on a keypress returns while Next is still blocked.
func TestKeysDoNotWaitOnTheFeed(t *testing.T) {
	c := &clock{t: t0}
	cfg := testConfig(c)
	feed := &blockingFeed{release: make(chan struct{}), calls: make(chan struct{}, 1)}
	cfg.Feed = feed
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cmd := m.Init()
	msgs := make(chan tea.Msg, 8)
	go runCmd(cmd, msgs)
	<-feed.calls // Next is now blocked inside the command

	m = update(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = update(m, keys("s?")...)
	if !m.showHelp || m.table.Sort().String() != "state" {
		t.Fatalf("keys not handled while the feed blocks: help %v sort %v", m.showHelp, m.table.Sort())
	}
	if v := m.View(); !strings.Contains(v, "keys") {
		t.Errorf("help overlay not drawn:\n%s", v)
	}
	close(feed.release)
	for msg := range msgs {
		// the table's rows come made, off the UI goroutine
		if p, ok := msg.(preparedMsg); ok {
			msg = p.BatchMsg
		}
		if b, ok := msg.(BatchMsg); ok {
			if b.Batch.Wide == nil || b.Batch.Wide.Source != "slow" {
				t.Errorf("unexpected batch %+v", b.Batch)
			}
			return
		}
	}
	t.Fatal("the batch never arrived")
}

// runCmd runs a command tree as bubbletea would, sending the leaf
// messages on; tea.BatchMsg fans out.
func runCmd(cmd tea.Cmd, out chan<- tea.Msg) {
	if cmd == nil {
		return
	}
	var wg sync.WaitGroup
	var run func(tea.Cmd)
	run = func(c tea.Cmd) {
		defer wg.Done()
		msg := c()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, sub := range batch {
				if sub != nil {
					wg.Add(1)
					go run(sub)
				}
			}
			return
		}
		if msg != nil {
			out <- msg
		}
	}
	wg.Add(1)
	go run(cmd)
	go func() { wg.Wait(); close(out) }()
}

func TestFocusMovesFeedScroll(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	m = update(m, firstBatch(t0, baseSockets()))
	for i := range 30 {
		s := curlSocket()
		s.Local = netip.AddrPortFrom(s.Local.Addr(), 50000+uint16(i))
		m = update(m, nextBatchMsg(t0, baseSockets(), sampler.Event{Kind: sampler.Opened, Time: t0, Socket: s}))
	}
	m = update(m, append([]tea.Msg{tea.KeyMsg{Type: tea.KeyTab}}, keys("jj")...)...)
	if m.focus != focusFeed || feedViewAt(m.feed, t0, true) == "" || !strings.Contains(m.View(), "scrolled back 2") {
		t.Errorf("tab then j should scroll the feed:\n%s", m.View())
	}
	if s, _ := m.table.Selected(); s.Local.Port() != 22 {
		t.Errorf("the table cursor should not move while the feed has focus: on %d", s.Local.Port())
	}
}

func TestPanesScrollAndClose(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 60, 20)
	m = update(m, firstBatch(t0, baseSockets()))
	m = update(m, keys("i")...)
	if !m.explain.IsOpen() || !strings.Contains(m.View(), "0%") {
		t.Fatalf("explain pane not open at the top:\n%s", m.View())
	}
	m = update(m, keys("jjjj")...)
	if strings.Contains(m.View(), " 0%") {
		t.Errorf("j should scroll the explain pane:\n%s", m.View())
	}
	if s, _ := m.table.Selected(); s.Local.Port() != 22 {
		t.Errorf("keys in the pane moved the table cursor to %d", s.Local.Port())
	}
	m = update(m, esc())
	if m.explain.IsOpen() {
		t.Error("esc should close the explain pane")
	}
	m = update(m, keys("?"+strings.Repeat("j", 90))...)
	if !m.showHelp || !strings.Contains(m.View(), "colour is off") {
		t.Errorf("help should scroll down to the legend:\n%s", m.View())
	}
	m = update(m, esc())
	if m.showHelp {
		t.Error("esc should close help")
	}
}
