package ui

import (
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/eventfeed"
)

// pausedDisplay holds what arrived while the display was paused: the newest
// snapshot and the events, at most a feed's worth so a long pause cannot
// grow memory without bound.
type pausedDisplay struct {
	on       bool
	at       time.Time // when the display was paused: the table's ages stop there
	snapshot *sampler.Snapshot
	events   []sampler.Event
	lost     int // events beyond the bound, dropped from the feed
}

// hold keeps a batch of the source that drives the table: its snapshot
// replaces the one held, its events join those held.
func (p *pausedDisplay) hold(s sampler.Snapshot, events []sampler.Event) {
	p.snapshot = &s
	p.holdEvents(events)
}

// holdEvents keeps events for the feed (from the machine-wide batches while
// a focused sampler drives the table).
func (p *pausedDisplay) holdEvents(events []sampler.Event) {
	p.events = append(p.events, events...)
	if over := len(p.events) - eventfeed.DefaultCapacity; over > 0 {
		p.events = append(p.events[:0], p.events[over:]...)
		p.lost += over
	}
}

// togglePause freezes or resumes the table and feed; sampling goes on.
func (m *Model) togglePause() {
	if !m.paused.on {
		m.paused = pausedDisplay{on: true, at: m.now()}
		return
	}
	p := m.paused
	m.paused = pausedDisplay{}
	switch {
	case p.snapshot != nil:
		// Made whole: the rows held were prepared with the lingering rows
		// of before the pause, and the events held since close more.
		m.table.Observe(p.snapshot.Sockets, p.events, m.now())
		if m.focused.Live { // a focused snapshot: no machine-wide one on screen
			m.snapshots.hide()
		} else {
			m.snapshots.show()
		}
	case !m.focused.Live: // the focus held ended: back to the machine-wide table
		m.showWideTable()
	}
	if len(p.events) > 0 {
		m.feed.Add(p.events, p.events[len(p.events)-1].Time)
	}
	m.refreshExplain()
	if p.lost > 0 {
		m.status.info(plural(p.lost, "event") + " left out of the feed while paused")
	}
}
