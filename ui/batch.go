package ui

import (
	"github.com/porttop/porttop/sampler"
)

// applyBatch takes one machine-wide batch in. The header figures, the map,
// the churn panel and this run's port history always move on; the table
// and feed freeze while the display is paused, their events kept aside
// until it resumes. While a focused sampler is live it drives the table,
// and the feed and history take from this batch only the events of the
// sockets it does not cover.
func (m *Model) applyBatch(b sampler.Batch) {
	now := m.now()
	m.stats.observe(b, m)
	m.table.SetOwnersHidden(b.OwnersHidden)
	// The feed's = line counts the first sample's sockets, all of them:
	// uncovered would drop those a focus whose first batch came earlier
	// covers, and a paused display's held events would too. A summary of
	// the start rather than an event, it is taken in even while paused.
	m.feed.SetExisting(b.Events, b.Snapshot.Time)
	events := m.focused.uncovered(b.Events)
	m.focused.early.wideCame()
	m.history.Observe(events)
	if !b.Snapshot.Time.IsZero() {
		m.history.Advance(b.Snapshot.Time)
	}
	m.sockets = b.Snapshot.Sockets
	m.snapshots.arrive(b.Snapshot)
	m.views.observe(b, now, m.stats.listeners)
	if m.focused.live {
		if m.paused.on {
			m.paused.holdEvents(events)
		} else {
			m.feed.Add(events, b.Snapshot.Time)
		}
		return
	}
	b.Events = events
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
