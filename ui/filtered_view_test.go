package ui

// The filtered view: a filter the kernel can narrow (a port filter) gets a
// sampler of its own beside the machine-wide one, and its batches drive the
// table and the feed while the header, map and churn panel keep counting
// the whole machine. The merge of the two streams is sampler/live's and is
// tested there as scripts; these tests check what the view shows of it,
// through a scriptFeed running the real live.Merger.

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/sampler/poll"
)

// run applies msg and runs the command it returns, if any, one level deep
// (a tea.Batch is not unpacked), then merges the filter the view set.
func run(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	next, cmd := m.Update(viewMsg(m, msg))
	if cmd != nil {
		cmd()
	}
	return merged(next.(Model))
}

func applyFilter(t *testing.T, m Model, text string) Model {
	t.Helper()
	m = update(m, keys("/"+text)...)
	return run(t, m, enter())
}

// port60716 is a socket only the focused sampler has seen yet.
func port60716() sampler.Socket {
	return sock(sampler.TCP, "10.0.0.5:60716", "10.0.0.9:443", sampler.StateEstablished, 4100, "wget", t0)
}

func focusBatch(gen uint64, socks ...sampler.Socket) focusMsg {
	ev := make([]sampler.Event, len(socks))
	for i, s := range socks {
		ev[i] = sampler.Event{Kind: sampler.Opened, Time: t0, Socket: s}
	}
	return focusMsg{Gen: gen, Batch: sampler.Batch{
		Snapshot: sampler.Snapshot{Time: t0, Sockets: socks},
		Events:   ev, Interval: 100 * time.Millisecond, Cost: 300 * time.Microsecond, Samples: 1, Source: "netlink",
	}}
}

func newFocusModel(t *testing.T) (Model, *scriptFeed) {
	t.Helper()
	m, focus, _ := newFocusModelClock(t)
	return m, focus
}

// newFocusModelClock is newFocusModel with the clock it runs on.
func newFocusModelClock(t *testing.T) (Model, *scriptFeed, *clock) {
	t.Helper()
	c := &clock{t: t0}
	cfg := testConfig(c)
	focus := cfg.Feed.(*scriptFeed)
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 30}, firstBatch(t0, baseSockets()))
	return m, focus, c
}

func TestFocusDrivesTableAndFeedButNotHeader(t *testing.T) {
	m, focus := newFocusModel(t)
	m = applyFilter(t, m, "60716")
	if len(focus.asked) != 1 || !live.Narrows(focus.asked[0].q) || focus.asked[0].q.Ports[0] != (sampler.PortRange{Lo: 60716, Hi: 60716}) {
		t.Fatalf("a one-port filter should start a narrowed focus: %+v", focus.asked)
	}
	gen := focus.asked[0].gen

	// Until the focus answers, the machine-wide table (filtered) shows.
	if m.table.Len() != 0 {
		t.Fatalf("nothing on 60716 machine-wide yet, table has %d rows", m.table.Len())
	}
	m = update(m, focusBatch(gen, port60716()))
	if m.table.Len() != 1 || !strings.Contains(m.View(), "60716") || !strings.Contains(m.View(), "wget") {
		t.Fatalf("the focused batch should fill the table:\n%s", m.View())
	}
	if !strings.Contains(m.View(), "filtered view every 100ms") {
		t.Errorf("the header should say how the filtered view samples:\n%s", m.View())
	}

	// A machine-wide batch without the socket moves the header, not the table.
	m = update(m, batchCurlOpens())
	if m.table.Len() != 1 {
		t.Errorf("a machine-wide batch replaced the focused table: %d rows", m.table.Len())
	}
	if m.stats.counts.Sockets != 7 {
		t.Errorf("header counts %d sockets, want the machine-wide 7", m.stats.counts.Sockets)
	}

	// A batch of an older focus is dropped.
	m = update(m, focusBatch(gen-1))
	if m.table.Len() != 1 {
		t.Errorf("a stale focus batch emptied the table")
	}

	// Clearing the filter stops the focus and shows the machine-wide table at once.
	m = run(t, m, esc())
	last := focus.asked[len(focus.asked)-1]
	if live.Narrows(last.q) || last.gen == gen {
		t.Errorf("clearing should ask for no focus under a new generation: %+v", last)
	}
	if m.table.Len() != 7 || m.focused.Live {
		t.Errorf("after clearing: %d rows (want the 7 machine-wide), focus live %v", m.table.Len(), m.focused.Live)
	}
	m = update(m, focusBatch(gen, port60716()))
	if m.table.Len() != 7 {
		t.Errorf("a batch of the cleared focus came back into the table")
	}
}

func TestFocusFromTheCommandLine(t *testing.T) {
	c := &clock{t: t0}
	cfg := testConfig(c)
	focus := cfg.Feed.(*scriptFeed)
	cfg.Filter = "60716"
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Init batches its commands; run the one that asks for the focus.
	for _, cmd := range batchCmds(m.Init()) {
		if cmd == nil {
			continue
		}
		done := make(chan struct{})
		go func() { defer close(done); cmd() }()
		select {
		case <-done:
		case <-time.After(50 * time.Millisecond): // the waits on the feeds: left to the context
		}
	}
	m.cancel()
	m = merged(m) // the feed's first step
	if len(focus.asked) != 1 || focus.asked[0].gen != 1 || !live.Narrows(focus.asked[0].q) {
		t.Errorf("--port 60716 should focus at start: asked %+v", focus.asked)
	}
	if m = update(m, focusBatch(1, port60716())); !m.focused.Live {
		t.Errorf("the focus asked at start does not drive the view: %+v", m.focused)
	}
}

// batchCmds unpacks a tea.Batch command into its commands.
func batchCmds(cmd tea.Cmd) []tea.Cmd {
	if cmd == nil {
		return nil
	}
	if b, ok := cmd().(tea.BatchMsg); ok {
		return b
	}
	return nil
}

func TestFocusErrorFallsBackToMachineWide(t *testing.T) {
	m, focus := newFocusModel(t)
	m = applyFilter(t, m, "22")
	gen := focus.asked[0].gen
	m = update(m, focusBatch(gen, port60716()))
	if !m.focused.Live {
		t.Fatal("focus not live")
	}
	fail := focusBatch(gen)
	fail.Batch.Err = errors.New("netlink went away")
	m = update(m, fail)
	if m.focused.Live {
		t.Errorf("a failing focus should stop: %+v", m.focused)
	}
	if m.table.Len() != 2 { // sshd's listener and its session, from the machine-wide table
		t.Errorf("after the failure the table should show port 22 machine-wide: %d rows", m.table.Len())
	}
	if !strings.Contains(m.View(), "filtered sampling stopped: netlink went away") {
		t.Errorf("the failure should be said:\n%s", m.View())
	}
}

func TestFocusWhilePaused(t *testing.T) {
	m, focus := newFocusModel(t)
	m = applyFilter(t, m, "60716")
	gen := focus.asked[0].gen
	m = update(m, focusBatch(gen, port60716()))
	m = update(m, keys(" ")...)
	if !m.paused.on {
		t.Fatal("space did not pause")
	}
	other := sock(sampler.TCP, "10.0.0.5:60716", "10.0.0.7:80", sampler.StateEstablished, 4200, "curl", t0)
	m = update(m, focusBatch(gen, port60716(), other), batchCurlOpens())
	if m.table.Len() != 1 {
		t.Errorf("paused, yet the table moved to %d rows", m.table.Len())
	}
	m = update(m, keys(" ")...)
	if m.table.Len() != 2 {
		t.Errorf("resumed: %d rows, want the 2 of the held focused batch", m.table.Len())
	}
}

// poison is a Recycle that overwrites what it gets back, as the source's
// next sample would: a snapshot given back while still on screen then
// shows RECYCLED rows.
func poison(s sampler.Snapshot) {
	for i := range s.Sockets {
		s.Sockets[i] = sock(sampler.TCP, "10.9.9.9:22", "10.9.9.8:1", sampler.StateEstablished, 6666, "RECYCLED", t0)
	}
}

func newPoisonFocusModel(t *testing.T) (Model, *scriptFeed) {
	t.Helper()
	c := &clock{t: t0}
	cfg := testConfig(c)
	focus := cfg.Feed.(*scriptFeed)
	focus.recycle = poison
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return update(m, tea.WindowSizeMsg{Width: 120, Height: 30}, firstBatch(t0, baseSockets())), focus
}

func sshd22() sampler.Socket {
	return sock(sampler.TCP, "10.0.0.5:22", "10.0.0.9:51234", sampler.StateEstablished, 2040, "sshd", t0.Add(-5*time.Minute))
}

// A focus going live while the display is paused must not give back the
// snapshot the frozen table reads.
func TestPausedTableKeepsItsSnapshotWhenFocusGoesLive(t *testing.T) {
	for _, wideFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("machine-wide batch first %v", wideFirst), func(t *testing.T) {
			m, focus := newPoisonFocusModel(t)
			m = update(m, keys(" ")...)
			if wideFirst {
				m = update(m, nextBatchMsg(t0, baseSockets()))
			}
			m = applyFilter(t, m, "22")
			m = update(m, focusBatch(focus.asked[0].gen, sshd22()))
			if !wideFirst {
				m = update(m, nextBatchMsg(t0, baseSockets()))
			}
			m.table.Rebuild()
			if v := m.View(); strings.Contains(v, "RECYCLED") {
				t.Fatalf("the paused table reads a snapshot given back for reuse:\n%s", v)
			}
			m = update(m, keys(" ")...) // resume: the focused table shows
			if v := m.View(); strings.Contains(v, "RECYCLED") || !strings.Contains(v, "10.0.0.9:51234") {
				t.Errorf("after resuming:\n%s", v)
			}
		})
	}
}

// reusingSource refills any slice handed back, as the netlink source does.
type reusingSource struct {
	mu    sync.Mutex
	spare []sampler.Socket
	n     int
}

func (s *reusingSource) Name() string { return "reusing" }

func (s *reusingSource) Recycle(b []sampler.Socket) {
	s.mu.Lock()
	s.spare = b[:0]
	s.mu.Unlock()
}

func (s *reusingSource) Sample(ctx context.Context) (sampler.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	socks := s.spare
	s.spare = nil
	if cap(socks) < 8 {
		socks = make([]sampler.Socket, 0, 8)
	}
	name := fmt.Sprintf("gen%d", s.n)
	for i := range 6 {
		socks = append(socks, sock(sampler.TCP, fmt.Sprintf("10.0.0.5:%d", 22+i*1000), "", sampler.StateListen, 100, name, t0))
	}
	return sampler.Snapshot{Time: time.Now(), Sockets: socks}, nil
}

// The same with the real Poller recycling into a source that refills.
func TestPausedTableSurvivesRealPollerRecycling(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := poll.New(poll.Config{Source: &reusingSource{}, Interval: 2 * time.Millisecond})
	go func() { _ = p.Run(ctx) }()
	c := &clock{t: t0}
	cfg := testConfig(c)
	focus := cfg.Feed.(*scriptFeed)
	focus.recycle = p.Recycle
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	next := func() wideMsg {
		b, err := p.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return wideMsg{b}
	}
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 30}, next())
	m = update(m, keys(" ")...)
	m = update(m, next())
	gen := regexp.MustCompile(`gen\d+`)
	frozen := gen.FindString(m.View())
	m = applyFilter(t, m, "22")
	m = update(m, focusBatch(focus.asked[0].gen, sshd22()))
	for range 30 {
		time.Sleep(3 * time.Millisecond)
		m = update(m, next())
	}
	if got := gen.FindString(m.View()); got != frozen {
		t.Errorf("the paused table froze on %s but now shows %s: its memory was refilled by the source", frozen, got)
	}
}

// Events of other ports, hidden by the filter while the focus ran, come
// back when it is cleared.
func TestOtherPortsEventsKeptWhileFocused(t *testing.T) {
	m, focus := newFocusModel(t)
	m = applyFilter(t, m, "60716")
	m = update(m, focusBatch(focus.asked[0].gen, port60716()))
	m = update(m, batchCurlOpens())
	m = run(t, m, esc())
	if v := m.View(); !strings.Contains(v, "+ 54112/tcp curl") {
		t.Errorf("curl's open, seen while the filter hid it, is not in the feed after clearing:\n%s", v)
	}
}

// Editing the filter without changing its ports keeps the focus: no new
// run, no stale machine-wide table in between.
func TestRefiningFilterKeepsFocus(t *testing.T) {
	m, focus := newFocusModel(t)
	m = applyFilter(t, m, "60716")
	m = update(m, focusBatch(focus.asked[0].gen, port60716()))
	m = update(m, keys("/")...)
	m = update(m, keys(" wget")...)
	m = run(t, m, enter())
	if len(focus.asked) != 1 || !m.focused.Live {
		t.Errorf("refining the filter restarted the focus: asked %d times, live %v", len(focus.asked), m.focused.Live)
	}
	if v := m.View(); strings.Contains(v, "is free now") || !strings.Contains(v, "wget") {
		t.Errorf("after refining, the port in use should still show:\n%s", v)
	}
}

// The focus's events reach the port history, so the free-port answer
// agrees with the feed.
func TestFocusEventsReachHistory(t *testing.T) {
	m, focus, c := newFocusModelClock(t)
	m = applyFilter(t, m, "60716")
	gen := focus.asked[0].gen
	m = update(m, focusBatch(gen))
	m = update(m, focusBatch(gen, port60716()))
	c.advance(500 * time.Millisecond)
	closed := focusBatch(gen)
	closed.Batch.Events = []sampler.Event{{Kind: sampler.Closed, Time: c.t, Socket: port60716(), Held: 500 * time.Millisecond}}
	m = update(m, closed)
	c.advance(10 * time.Second)
	m = update(m, frameMsg{})
	v := m.View()
	if strings.Contains(v, "Not seen in use") || !strings.Contains(v, "Handed out once this run") {
		t.Errorf("the free-port answer should know of the use the feed shows:\n%s", v)
	}
}

// Paused with a focus live, filtering to another port must not read the
// frozen focused table (which never held that port) as "free".
func TestPausedRefilterDoesNotClaimFree(t *testing.T) {
	m, focus := newFocusModel(t)
	m = applyFilter(t, m, "22")
	m = update(m, focusBatch(focus.asked[0].gen, sshd22()))
	m = update(m, keys(" ")...)
	m = update(m, keys("/")...)
	m = update(m, tea.KeyMsg{Type: tea.KeyBackspace}, tea.KeyMsg{Type: tea.KeyBackspace})
	m = update(m, keys("8080")...)
	m = run(t, m, enter())
	if v := m.View(); strings.Contains(v, "Port 8080 is free now") || !strings.Contains(v, "python3") {
		t.Errorf("paused, then filtered to 8080 (python3 listens there): the view should show it in use:\n%s", v)
	}
}

// existingFocusBatch is a focus's first batch: the sockets it covers, all
// already open.
func existingFocusBatch(gen uint64, socks ...sampler.Socket) focusMsg {
	fb := focusBatch(gen, socks...)
	for i := range fb.Batch.Events {
		fb.Batch.Events[i].Existing = true
	}
	return fb
}

// socketsUsingPort is those of socks that use port p, either end.
func socketsUsingPort(socks []sampler.Socket, p uint16) []sampler.Socket {
	var on []sampler.Socket
	for _, s := range socks {
		if s.UsesPort(p) {
			on = append(on, s)
		}
	}
	return on
}

// startedOnPort22FocusFirst is porttop started with --filter 22 whose
// focused batch (sshd's listener and its connection, already open) comes
// before the machine-wide first batch; all is that batch's sockets, to send.
func startedOnPort22FocusFirst(t *testing.T, c *clock) (m Model, all []sampler.Socket) {
	t.Helper()
	cfg := testConfig(c)
	cfg.Filter = "22"
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	all = baseSockets()
	return update(m, tea.WindowSizeMsg{Width: 100, Height: 30}, existingFocusBatch(1, socketsUsingPort(all, 22)...)), all
}

// TestFeedExistingLineCountsTheMachineWideFirstSample: started with a port
// filter, the focused sampler's first batch (one port: cheap) can reach the
// view before the machine-wide one (a big table: slow). The feed's = line
// counts the focus's sockets only until the machine-wide first sample
// comes; from then on it counts that sample's, so clearing the filter
// shows every socket already open, not just the focus's.
func TestFeedExistingLineCountsTheMachineWideFirstSample(t *testing.T) {
	for _, paused := range []bool{false, true} {
		name := "live"
		if paused {
			name = "paused when the machine-wide batch came"
		}
		t.Run(name, func(t *testing.T) {
			m, all := startedOnPort22FocusFirst(t, &clock{t: t0})
			if v := m.View(); !strings.Contains(v, "= 2 sockets already open") {
				t.Errorf("focus batch only: want its 2 sockets counted:\n%s", v)
			}
			if paused {
				if m = update(m, keys(" ")...); !m.paused.on {
					t.Fatal("space did not pause the display")
				}
			}
			m = update(m, firstBatch(t0.Add(200*time.Millisecond), all))
			if paused {
				m = update(m, keys(" ")...)
			}
			if v := m.View(); !strings.Contains(v, "= 2 sockets already open") {
				t.Errorf("--filter 22 after the machine-wide first batch: want 2:\n%s", v)
			}
			m = update(m, escKey)
			v := m.View()
			if !strings.Contains(v, "= 6 sockets already open") {
				t.Errorf("filter cleared: want all 6 of the machine-wide first sample counted:\n%s", v)
			}
			if n := strings.Count(v, "already open"); n != 1 {
				t.Errorf("%d summary lines, want one:\n%s", n, v)
			}
		})
	}
}

// TestHistoryCountsFocusFirstExistingOnce: started with --filter 22, the
// focused sampler's first batch comes before the machine-wide one. The
// port history counts each socket already open once: the focus's report
// of those it covers (the machine-wide batch leaves them out as covered,
// or, sampled before the focus began, reports them again), the
// machine-wide batch's of the rest. So port 22 is in use by its two
// sockets, not by none ("Free since" beside sshd's listener) nor four, and
// a filter changed before the machine-wide batch comes counts nothing
// twice either.
func TestHistoryCountsFocusFirstExistingOnce(t *testing.T) {
	for _, tc := range []struct {
		name    string
		wideAt  time.Duration // the machine-wide first sample's time, from the focus's
		refocus string        // a filter applied before the machine-wide batch
	}{
		{name: "machine-wide sampled after the focus", wideAt: 200 * time.Millisecond},
		{name: "machine-wide sampled before the focus", wideAt: -100 * time.Millisecond},
		{name: "refocused on 22,8080 first", wideAt: 200 * time.Millisecond, refocus: "22,8080"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: t0}
			m, all := startedOnPort22FocusFirst(t, c)
			gen := uint64(1)
			if tc.refocus != "" {
				m = update(m, keys("/")...)
				m = update(m, tea.KeyMsg{Type: tea.KeyCtrlU})
				m = update(m, keys(tc.refocus)...)
				m = update(m, enter())
				asked := scriptOf(m).asked
				if gen = asked[len(asked)-1].gen; gen != 2 {
					t.Fatalf("filter %q: focus gen %d, want 2", tc.refocus, gen)
				}
				both := append(socketsUsingPort(all, 22), socketsUsingPort(all, 8080)...)
				m = update(m, existingFocusBatch(gen, both...))
			}
			m = update(m, firstBatch(t0.Add(tc.wideAt), all))
			for _, want := range []struct {
				port  uint16
				inUse int
			}{{22, 2}, {8080, 1}, {41822, 1}, {5432, 1}} {
				h := m.history.Port(sampler.TCP, want.port)
				if h.InUse != want.inUse || h.HandedOut != 0 || h.LastSeen.IsZero() {
					t.Errorf("port %d: in use %d, handed out %d, last seen %v; want %d, 0, seen", want.port, h.InUse, h.HandedOut, h.LastSeen, want.inUse)
				}
			}

			// sshd's connection closes; its listener stays.
			conn := all[2]
			closed := t0.Add(2 * time.Second)
			c.t = closed
			m = update(m, focusMsg{Gen: gen, Batch: sampler.Batch{
				Snapshot: sampler.Snapshot{Time: closed, Sockets: []sampler.Socket{all[0]}},
				Events:   []sampler.Event{{Kind: sampler.Closed, Time: closed, Socket: conn, Held: 5 * time.Minute}},
				Interval: 100 * time.Millisecond, Samples: 1, Source: "netlink"}})
			h := m.history.Port(sampler.TCP, 22)
			text := strings.Join(historyLines(h, m.started, c.Now()), " ")
			if h.InUse != 1 || !strings.Contains(text, "In use now by 1 socket.") || strings.Contains(text, "Free since") {
				t.Errorf("port 22 after its connection closed: in use %d, lines %q; want in use by its listener", h.InUse, text)
			}
		})
	}
}

// TestHistoryKnowsAFocusFirstListener: started with a port filter, the
// focused sampler's first batch (the listener on 8080, already open) comes
// before the machine-wide one, which then leaves the sockets the focus
// covers out. The port's history must still know the listener, as the
// header does: the connections it accepts afterwards are accepted, not
// ports handed out.
func TestHistoryKnowsAFocusFirstListener(t *testing.T) {
	for _, wideFirstBatch := range []bool{true, false} {
		name := "machine-wide first batch in between"
		if !wideFirstBatch {
			name = "no machine-wide batch yet"
		}
		t.Run(name, func(t *testing.T) {
			c := &clock{t: t0}
			cfg := testConfig(c)
			cfg.Filter = "8080"
			m, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			all := baseSockets()
			listener := all[1]
			if listener.Local.Port() != 8080 || listener.State != sampler.StateListen {
				t.Fatalf("baseSockets()[1] is %v, want the listener on 8080", listener.ID)
			}
			m = update(m, tea.WindowSizeMsg{Width: 100, Height: 30}, existingFocusBatch(1, listener))
			if wideFirstBatch {
				m = update(m, firstBatch(t0.Add(300*time.Millisecond), all))
			}
			const clients = 3
			for i := range clients {
				at := t0.Add(time.Duration(1+2*i) * time.Second)
				conn := sock(sampler.TCP, "10.0.0.5:8080", fmt.Sprintf("10.0.0.9:%d", 50000+i), sampler.StateEstablished, 1500, "python3", at)
				m = update(m, focusEvents(at, []sampler.Socket{listener, conn}, sampler.Event{Kind: sampler.Opened, Time: at, Socket: conn}))
				closed := at.Add(time.Second)
				m = update(m, focusEvents(closed, []sampler.Socket{listener}, sampler.Event{Kind: sampler.Closed, Time: closed, Socket: conn, Held: time.Second}))
			}
			h := m.history.Port(sampler.TCP, 8080)
			if h.HandedOut != 0 || h.Accepted != clients {
				t.Errorf("port 8080's history: handed out %d, accepted %d; want 0, %d", h.HandedOut, h.Accepted, clients)
			}
			text := strings.Join(historyLines(h, m.started, c.Now()), " ")
			if strings.Contains(text, "Handed out") || !strings.Contains(text, "Its listener accepted 3 connections") {
				t.Errorf("history lines: %q; want no hand-outs and the 3 accepted connections", text)
			}
		})
	}
}

// focusEvents is a later batch of focus 1: its snapshot and events.
func focusEvents(at time.Time, socks []sampler.Socket, events ...sampler.Event) focusMsg {
	return focusMsg{Gen: 1, Batch: sampler.Batch{
		Snapshot: sampler.Snapshot{Time: at, Sockets: socks},
		Events:   events, Interval: 100 * time.Millisecond, Samples: 1, Source: "netlink",
	}}
}

// A filter set while the view waits out its frame has the feed's next
// batch taken at once: the feed merges the filter first, so a focused
// table the new filter does not keep is replaced without waiting a frame.
func TestFilterSetCutsTheFrameWait(t *testing.T) {
	m, _ := newFocusModel(t)
	m = applyFilter(t, m, "60716")
	done := make(chan bool, 1)
	go func() { done <- waitFrame(m.ctx, time.Hour, m.filterSet) }()
	select {
	case ok := <-done:
		if !ok {
			t.Error("waitFrame reported the view ended")
		}
	case <-time.After(10 * time.Second):
		m.cancel()
		t.Fatal("a filter set did not cut the frame wait short")
	}
}
