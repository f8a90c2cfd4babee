package ui

import (
	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/eventfeed"
)

// pausedDisplay holds what arrived while the display was paused: the newest
// snapshot and the events, at most a feed's worth so a long pause cannot
// grow memory without bound.
type pausedDisplay struct {
	on       bool
	snapshot *sampler.Snapshot
	events   []sampler.Event
	lost     int // events beyond the bound, dropped from the feed
}

func (p *pausedDisplay) hold(b sampler.Batch) {
	s := b.Snapshot
	p.snapshot = &s
	p.events = append(p.events, b.Events...)
	if over := len(p.events) - eventfeed.DefaultCapacity; over > 0 {
		p.events = append(p.events[:0], p.events[over:]...)
		p.lost += over
	}
}

// togglePause freezes or resumes the table and feed; sampling goes on.
func (m *Model) togglePause() {
	if !m.paused.on {
		m.paused = pausedDisplay{on: true}
		return
	}
	p := m.paused
	m.paused = pausedDisplay{}
	if p.snapshot != nil {
		m.table.Observe(p.snapshot.Sockets, p.events, m.now())
		m.snapshots.show()
		m.feed.Add(p.events, p.snapshot.Time)
	}
	if p.lost > 0 {
		m.status.info(plural(p.lost, "event") + " left out of the feed while paused")
	}
}
