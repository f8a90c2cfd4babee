package ui

import (
	"context"
	"slices"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
)

// focused is the narrowed sampling beside the machine-wide feed (see
// FocusFeed). Once a batch of the current focus has arrived it drives the
// table and the free-port answer, and it alone reports the events of the
// sockets it covers; until then, and whenever the filter does not narrow,
// the machine-wide batches do.
type focused struct {
	gen   uint64        // of the focus last asked for; 0: none yet
	on    bool          // that focus narrows, so its batches are awaited
	query sampler.Query // what it asked the kernel for
	live  bool          // a batch of it has arrived
	// since is its first sample's time: from then on its events, not the
	// machine-wide ones, are shown for the sockets query covers; lastAt is
	// its newest batch's.
	since, lastAt time.Time
	// sockets is its newest snapshot; interval and cost are for the header.
	sockets        []sampler.Socket
	interval, cost time.Duration
	// ended is the span and query of the focus before this one, whose
	// events the first machine-wide batches after it must not repeat.
	ended coverage
	// early is what focus batches fed the port history before the
	// machine-wide first batch came; kept across focuses.
	early earlyOpens
}

// coverage is a span of time in which a focus reported the events of the
// sockets its query covers.
type coverage struct {
	query       sampler.Query
	since, till time.Time // till zero: still running
}

// covers reports whether the focus already reported e: whether e happened
// in its span. That is e.When, not e.Time, which the machine-wide poller
// may have moved forward to keep its stream in order (into the span, or
// past its end).
func (c *coverage) covers(e *sampler.Event) bool {
	when := e.When()
	if c.since.IsZero() || when.Before(c.since) || (!c.till.IsZero() && when.After(c.till)) {
		return false
	}
	return c.query.MatchesAddrs(&e.Socket)
}

// uncovered is events less those a focus reported (or is reporting): what
// the feed and the port history take from a machine-wide batch. It returns
// events itself when it drops none.
func (f *focused) uncovered(events []sampler.Event) []sampler.Event {
	live := coverage{query: f.query, since: f.since}
	if !f.live {
		live = coverage{}
	}
	drop := func(e *sampler.Event) bool { return live.covers(e) || f.ended.covers(e) || f.early.fed(e) }
	if !slices.ContainsFunc(events, func(e sampler.Event) bool { return drop(&e) }) {
		return events
	}
	kept := make([]sampler.Event, 0, len(events))
	for i := range events {
		if !drop(&events[i]) {
			kept = append(kept, events[i])
		}
	}
	return kept
}

// focusBatchMsg carries a focused batch to Update.
type focusBatchMsg struct{ FocusBatch }

// nextFocusBatch waits for the focus feed's next batch, off the UI
// goroutine, at most every minFrame like nextBatch.
func nextFocusBatch(ctx context.Context, feed FocusFeed, wait time.Duration) tea.Cmd {
	return func() tea.Msg {
		if !waitFrame(ctx, wait) {
			return nil
		}
		b, err := feed.Next(ctx)
		if err != nil || ctx.Err() != nil {
			return nil // only ends with the view; the machine-wide feed reports errors
		}
		return focusBatchMsg{b}
	}
}

// refocus asks the focus feed for the current filter: a new focus, or none
// when the filter does not narrow. A filter edited without changing what
// the kernel is asked for keeps the focus it has. Until a new focus's first
// batch the table goes back to the machine-wide batches.
func (m *Model) refocus() tea.Cmd {
	feed := m.cfg.Focus
	if feed == nil {
		return nil
	}
	q := m.filter.Query()
	narrows := Narrows(q)
	if narrows && m.focused.on && sameQuery(q, m.focused.query) {
		return nil
	}
	old := m.focused
	m.focused = focused{gen: old.gen + 1, on: narrows, query: q, ended: old.ended, early: old.early}
	var prev []sampler.Socket
	if old.live {
		m.focused.ended = coverage{query: old.query, since: old.since, till: old.lastAt}
		m.showWideTable()
		prev = old.sockets
	}
	return m.askFocus(feed, m.focused.gen, q, prev)
}

func sameQuery(a, b sampler.Query) bool {
	return a.States == b.States && slices.Equal(a.Protos, b.Protos) && slices.Equal(a.Ports, b.Ports)
}

// showWideTable puts the newest machine-wide snapshot back in the table,
// rather than leave the last focused one there until the next batch (or,
// while paused, under a filter it was never narrowed to: a port missing
// from it would read as free). A held focused snapshot is let go; held
// events stay.
func (m *Model) showWideTable() {
	m.paused.snapshot = nil
	if m.snapshots.latestID == 0 {
		return
	}
	m.table.Observe(m.snapshots.latest.Sockets, nil, m.now())
	m.snapshots.show()
}

// applyFocusBatch takes in a focused batch; one of an earlier focus is
// dropped.
func (m *Model) applyFocusBatch(fb FocusBatch) {
	if fb.Gen != m.focused.gen || !m.focused.on {
		return
	}
	b := fb.Batch
	if b.Err != nil { // the machine-wide samples carry the view on
		wasLive := m.focused.live
		m.focused.on, m.focused.live = false, false
		if wasLive {
			m.focused.ended = coverage{query: m.focused.query, since: m.focused.since, till: m.focused.lastAt}
			m.showWideTable()
		}
		m.status.fail("filtered sampling stopped: " + b.Err.Error())
		return
	}
	if !m.focused.live {
		m.focused.live = true
		m.focused.since = firstSampleTime(b)
	}
	m.focused.lastAt = b.Snapshot.Time
	m.focused.sockets = b.Snapshot.Sockets
	m.focused.interval, m.focused.cost = b.Interval, b.Cost
	// The history must know the listeners the focus shows, as the header
	// does, or the connections they accept read as ports handed out: the
	// Existing opens it is fed carry them only until the machine-wide
	// first batch comes (see earlyOpens).
	m.history.LearnListeners(b.Snapshot.Sockets)
	m.history.Observe(m.focused.early.forHistory(b.Events))
	if m.paused.on {
		m.paused.hold(b)
		return
	}
	m.table.Observe(b.Snapshot.Sockets, b.Events, m.now())
	m.snapshots.hide()
	m.feed.Add(b.Events, b.Snapshot.Time)
	m.refreshExplain()
}

// firstSampleTime is when a focus's first batch was sampled: the time of
// its Existing events (a merged batch's snapshot is its newest sample), as
// they happened, like the events coverage is judged on.
func firstSampleTime(b sampler.Batch) time.Time {
	for i := range b.Events {
		if b.Events[i].Existing {
			return b.Events[i].When()
		}
	}
	return b.Snapshot.Time
}

// notExisting is events less the sockets already open at a first sample.
func notExisting(events []sampler.Event) []sampler.Event {
	if !slices.ContainsFunc(events, func(e sampler.Event) bool { return e.Existing }) {
		return events
	}
	return slices.DeleteFunc(slices.Clone(events), func(e sampler.Event) bool { return e.Existing })
}

// viewSockets is the newest table the view shows: the focused one while
// focus is live, else the machine-wide one.
func (m *Model) viewSockets() []sampler.Socket {
	if m.focused.live {
		return m.focused.sockets
	}
	return m.sockets
}

// focusedInterval is the focused sampling's interval for the header; 0
// while no focus is live.
func (m *Model) focusedInterval() time.Duration {
	if !m.focused.live {
		return 0
	}
	return m.focused.interval
}
