package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/live"
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

func TestFocusOnlyForFiltersTheKernelNarrows(t *testing.T) {
	for _, tc := range []struct {
		filter string
		wants  bool
	}{
		{"60716", true},
		{"49152-65535", true},
		{"time-wait", false},
		{"listen tcp", false},
		{"tcp", false},
		{"established", false},
		{"curl", false},
		{"pid:812", false},
		{"curl 443", true},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			m, focus := newFocusModel(t)
			m = applyFilter(t, m, tc.filter)
			if len(focus.asked) != 1 {
				t.Fatalf("focus asked %d times", len(focus.asked))
			}
			if got := live.Narrows(focus.asked[0].q); got != tc.wants {
				t.Errorf("narrows = %v, want %v", got, tc.wants)
			}
			m = update(m, focusBatch(focus.asked[0].gen, port60716()))
			if m.focused.Live != tc.wants {
				t.Errorf("focused batch taken = %v, want %v", m.focused.Live, tc.wants)
			}
		})
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
