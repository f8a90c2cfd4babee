package ui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/poll"
)

// Regression tests for the filtered view's routing: each reproduces a
// sequence that once left the screen wrong.

// poisonFeed is a feed whose Recycle overwrites what it gets back, as the
// source's next sample would: a snapshot given back while still on screen
// then shows RECYCLED rows.
type poisonFeed struct{ recycled int }

func (p *poisonFeed) Next(ctx context.Context) (sampler.Batch, error) {
	<-ctx.Done()
	return sampler.Batch{}, ctx.Err()
}

func (p *poisonFeed) Recycle(s sampler.Snapshot) {
	p.recycled++
	for i := range s.Sockets {
		s.Sockets[i] = sock(sampler.TCP, "10.9.9.9:22", "10.9.9.8:1", sampler.StateEstablished, 6666, "RECYCLED", t0)
	}
}

func newPoisonFocusModel(t *testing.T) (Model, *fakeFocus) {
	t.Helper()
	c := &clock{t: t0}
	focus := &fakeFocus{}
	cfg := testConfig(c)
	cfg.Feed = &poisonFeed{}
	cfg.Focus = focus
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
	focus := &fakeFocus{}
	cfg := testConfig(c)
	cfg.Feed = p
	cfg.Focus = focus
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	next := func() BatchMsg {
		b, err := p.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return BatchMsg{b}
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

// The focus reported the open; the first machine-wide batch after the
// filter is cleared must not report it again.
func TestNoDuplicateEventsWhenFocusEnds(t *testing.T) {
	m, focus := newFocusModel(t)
	m = applyFilter(t, m, "60716")
	gen := focus.asked[0].gen
	m = update(m, focusBatch(gen)) // first sample: nothing on the port
	m = update(m, focusBatch(gen, port60716()))
	m = run(t, m, esc())
	socks := append(baseSockets(), port60716())
	m = update(m, nextBatchMsg(t0, socks, sampler.Event{Kind: sampler.Opened, Time: t0, Socket: port60716()}))
	if n := strings.Count(m.View(), "+ 60716/tcp"); n != 1 {
		t.Errorf("the feed shows the open of 60716 %d times, want once:\n%s", n, m.View())
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

// An open between the last machine-wide batch and the focus's first sample
// is reported by the machine-wide batch, and must reach the feed.
func TestEventBeforeFocusStartKept(t *testing.T) {
	m, focus := newFocusModel(t)
	m = applyFilter(t, m, "60716")
	first := focusBatch(focus.asked[0].gen, port60716())
	first.Batch.Events[0].Existing = true // a first sample reports what is there
	first.Batch.Events[0].Time = t0.Add(time.Second)
	m = update(m, first)
	socks := append(baseSockets(), port60716())
	m = update(m, nextBatchMsg(t0.Add(2*time.Second), socks, sampler.Event{Kind: sampler.Opened, Time: t0, Socket: port60716()}))
	if v := m.View(); !strings.Contains(v, "+ 60716/tcp") {
		t.Errorf("the open of 60716 before the focus began never reached the feed:\n%s", v)
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
	if len(focus.asked) != 1 || !m.focused.live {
		t.Errorf("refining the filter restarted the focus: asked %d times, live %v", len(focus.asked), m.focused.live)
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
