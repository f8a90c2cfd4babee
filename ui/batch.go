package ui

import (
	"github.com/porttop/porttop/sampler"
)

// applyBatch takes one batch in. The header figures and this run's port
// history always move on; the table and feed freeze while the display is
// paused, their events kept aside until it resumes.
func (m *Model) applyBatch(b sampler.Batch) {
	now := m.now()
	m.stats.observe(b, m)
	m.history.Observe(b.Events)
	if !b.Snapshot.Time.IsZero() {
		m.history.Advance(b.Snapshot.Time)
	}
	m.sockets = b.Snapshot.Sockets
	m.snapshots.arrive(b.Snapshot)
	m.views.observe(b, now, m.stats.listeners)
	if m.focused.live { // the focused batches drive the table and feed
		return
	}
	if m.paused.on {
		m.paused.hold(b)
		return
	}
	m.table.Observe(b.Snapshot.Sockets, b.Events, now)
	m.snapshots.show()
	m.feed.Add(b.Events, b.Snapshot.Time)
	m.refreshExplain()
}

// onFrame runs on the display clock: highlights and lingering rows expire.
func (m *Model) onFrame() {
	if m.paused.on {
		return
	}
	m.table.Expire(m.now())
}
