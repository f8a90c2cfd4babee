package ui

import (
	"context"
	"errors"
	"io"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/live"
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

func TestPauseFreezesDisplayButNotHistory(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	m = update(m, firstBatch(t0, baseSockets()), keys(" ")[0], batchCurlOpens())
	if !m.paused.on {
		t.Fatal("space did not pause")
	}
	if m.table.Len() != 6 || m.feed.Len() != 1 {
		t.Errorf("paused table/feed moved on: %d rows, %d feed entries", m.table.Len(), m.feed.Len())
	}
	if m.stats.counts.Sockets != 7 {
		t.Errorf("header should stay live while paused: %d sockets", m.stats.counts.Sockets)
	}
	if h := m.history.Port(sampler.TCP, 54112); h.HandedOut != 1 {
		t.Errorf("history should keep updating while paused: %+v", h)
	}
	if !strings.Contains(m.View(), "PAUSED") {
		t.Error("no PAUSED badge")
	}
	m = update(m, keys(" ")[0])
	if m.paused.on || m.table.Len() != 7 || m.feed.Len() != 2 {
		t.Errorf("resume should catch up: paused %v, %d rows, %d feed entries", m.paused.on, m.table.Len(), m.feed.Len())
	}
	if !strings.Contains(m.View(), "+ 54112/tcp curl -> 93.184.216.34:443") {
		t.Errorf("the held event should reach the feed on resume:\n%s", m.View())
	}
}

func TestPauseHoldIsBounded(t *testing.T) {
	var p pausedDisplay
	p.on = true
	ev := make([]sampler.Event, 3000)
	for range 10 {
		p.hold(sampler.Snapshot{}, ev)
	}
	if len(p.events) > 10000 || p.lost != 20000 {
		t.Errorf("held %d events, lost %d", len(p.events), p.lost)
	}
}

// TestFreePortRemembersLastUse: a port used and released earlier in the
// run is answered with when and by what it was last used.
func TestFreePortRemembersLastUse(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	m = update(m, firstBatch(t0, baseSockets()), batchCurlOpens())
	c.advance(2 * time.Second)
	closeAt := t0.Add(2 * time.Second)
	m = update(m, nextBatchMsg(closeAt, baseSockets(),
		sampler.Event{Kind: sampler.Closed, Time: closeAt, Socket: curlSocket(), Held: 2 * time.Second}))
	m = update(m, append(keys("/54112"), enter())...)
	if _, ok := m.freePortAnswer(100); ok {
		t.Error("while the closed row lingers the table shows it, not the free answer")
	}
	c.advance(10 * time.Second)
	m = update(m, frameMsg(c.t))
	v := m.View()
	for _, want := range []string{
		"Port 54112 is free now",
		"Last seen in use at 12:00:02 by curl (pid 4000) -> 93.184.216.34:443.",
		"Free since 12:00:02 (10s ago).",
		"Handed out once this run, held 2.0s in all.",
		"IANA: unassigned.",
		"inside this OS's ephemeral range 32768-60999",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("free-port answer lacks %q:\n%s", want, v)
		}
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

// fakeReplay records what the replay keys asked for.
type fakeReplay struct {
	paused   bool
	speed    float64
	steps    int
	restarts int
}

func (r *fakeReplay) SetPaused(p bool)            { r.paused = p }
func (r *fakeReplay) Paused() bool                { return r.paused }
func (r *fakeReplay) Step()                       { r.steps++ }
func (r *fakeReplay) SetSpeed(s float64)          { r.speed = s }
func (r *fakeReplay) Speed() float64              { return r.speed }
func (r *fakeReplay) Restart()                    { r.restarts++ }
func (r *fakeReplay) Progress() (done, total int) { return 120, 500 }

func TestReplayKeys(t *testing.T) {
	c := &clock{t: t0}
	cfg := testConfig(c)
	rp := &fakeReplay{speed: 1}
	cfg.Replay = rp
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m = update(m, tea.WindowSizeMsg{Width: 100, Height: 30}, firstBatch(t0, baseSockets()))
	m = update(m, keys("++-p nn")...)
	if rp.speed != 2 || rp.steps != 2 || rp.paused {
		t.Errorf("replay state: %+v", rp)
	}
	if m.paused.on {
		t.Error("space pauses the replay itself, not the display, when replaying")
	}
	if v := m.View(); !strings.Contains(v, "REPLAY 2x 120/500") {
		t.Errorf("no replay badge:\n%s", v)
	}
	m = update(m, keys("p")...)
	if !strings.Contains(m.View(), "REPLAY paused 2x 120/500") {
		t.Errorf("no paused replay badge")
	}
	// The recording ends, then 0 restarts it and asks the feed again.
	next, _ := m.Update(feedErrMsg{io.EOF})
	m = next.(Model)
	next, cmd := m.Update(keys("0")[0])
	m = next.(Model)
	if rp.restarts != 1 || cmd == nil || m.feed.Len() != 0 || m.table.Len() != 0 {
		t.Errorf("restart: %d restarts, cmd %v, feed %d, rows %d", rp.restarts, cmd != nil, m.feed.Len(), m.table.Len())
	}
	for range 20 {
		m = update(m, keys("+")...)
	}
	if rp.speed != maxSpeed {
		t.Errorf("speed not capped: %v", rp.speed)
	}
	h := m.View()
	m = update(m, keys("?")...)
	if !strings.Contains(m.View(), "step one event") || strings.Contains(h, "step one event") {
		t.Error("replay keys belong in the help overlay")
	}
}

func TestReplayKeysHiddenWhenLive(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	m = update(m, keys("?")...)
	if strings.Contains(m.View(), "step one event") {
		t.Error("live help lists replay keys")
	}
	m = update(m, keys("?n+")...)
	if m.showHelp {
		t.Error("? should close help")
	}
}

func TestFeedErrorIsShownAndRetried(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	next, cmd := m.Update(feedErrMsg{errors.New("netlink: permission denied")})
	m = next.(Model)
	if cmd == nil || !strings.Contains(m.View(), "feed: netlink: permission denied") {
		t.Errorf("feed error not shown or not retried:\n%s", m.View())
	}
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
	if m.focus != focusFeed || m.feed.View(t0, true) == "" || !strings.Contains(m.View(), "scrolled back 2") {
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

// The header sets porttop's count against the kernel's as of the same
// instant: opens reported from release reports since the counters were
// read are not a surplus.
func TestHeaderComparesCountsAtOneInstant(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 120, 30)
	first := firstBatch(t0, baseSockets())
	first.Batch.Kernel = &sampler.KernelCounters{ActiveOpens: 10, PassiveOpens: 10}
	next := nextBatchMsg(t0.Add(time.Second), baseSockets())
	next.Batch.Kernel = &sampler.KernelCounters{ActiveOpens: 12, PassiveOpens: 11}
	next.Batch.ReportedTCP, next.Batch.ReportedTCPAtKernel = 5, 3
	m = update(m, first, next)
	if v := m.View(); !strings.Contains(v, "TCP connections opened: kernel 3, porttop saw 3") {
		t.Errorf("the header should compare 3 with 3:\n%s", v)
	}
}
