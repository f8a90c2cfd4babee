package ui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
)

// focused is the narrowed sampling beside the machine-wide feed (see
// FocusFeed). Once a batch of the current focus has arrived it drives the
// table, the event feed and the explain pane; until then, and whenever the
// filter does not narrow, the machine-wide batches do.
type focused struct {
	gen  uint64 // of the focus last asked for; 0: none yet
	on   bool   // that focus narrows, so its batches are awaited
	live bool   // a batch of it has arrived
	// sockets is its newest snapshot; interval and cost are for the header.
	sockets        []sampler.Socket
	interval, cost time.Duration
}

// focusBatchMsg carries a focused batch to Update.
type focusBatchMsg struct{ FocusBatch }

// nextFocusBatch waits for the focus feed's next batch, off the UI
// goroutine, at most every minFrame like nextBatch.
func nextFocusBatch(ctx context.Context, feed FocusFeed, wait time.Duration) tea.Cmd {
	return func() tea.Msg {
		if wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return nil
			}
		}
		b, err := feed.Next(ctx)
		if err != nil || ctx.Err() != nil {
			return nil // only ends with the view; the machine-wide feed reports errors
		}
		return focusBatchMsg{b}
	}
}

// refocus asks the focus feed for the current filter: a new focus, or none
// when the filter does not narrow. Until the new focus's first batch the
// table goes back to the machine-wide batches.
func (m *Model) refocus() tea.Cmd {
	feed := m.cfg.Focus
	if feed == nil {
		return nil
	}
	q := m.filter.Query()
	wasLive := m.focused.live
	m.focused = focused{gen: m.focused.gen + 1, on: Narrows(q)}
	if wasLive {
		m.showWideTable()
	}
	gen := m.focused.gen
	return func() tea.Msg { feed.Focus(gen, q); return nil }
}

// showWideTable puts the newest machine-wide snapshot back in the table,
// rather than leave the last focused one there until the next batch.
func (m *Model) showWideTable() {
	if m.paused.on {
		m.paused.snapshot, m.paused.events = nil, nil // held focused batches belong to the old focus
	}
	if m.snapshots.latestID == 0 || m.paused.on {
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
		m.focused.on = false
		if m.focused.live {
			m.focused.live = false
			m.showWideTable()
		}
		m.status.fail("filtered sampling stopped: " + b.Err.Error())
		return
	}
	if !m.focused.live {
		m.focused.live = true
		m.snapshots.hide()
		if m.paused.on {
			m.paused.snapshot, m.paused.events = nil, nil // held machine-wide batches
		}
	}
	m.focused.sockets = b.Snapshot.Sockets
	m.focused.interval, m.focused.cost = b.Interval, b.Cost
	if m.paused.on {
		m.paused.hold(b)
		return
	}
	m.table.Observe(b.Snapshot.Sockets, b.Events, m.now())
	m.feed.Add(b.Events, b.Snapshot.Time)
	m.refreshExplain()
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
