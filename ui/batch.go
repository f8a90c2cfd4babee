package ui

import (
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/ui/safe"
)

// applyBatch takes one batch of the live feed in, in the order its parts
// are documented (see live.Batch). The header figures, the map, the churn
// panel and this run's port history always move on; the table and feed
// freeze while the display is paused, their events kept aside until it
// resumes. The feed (live.Merger) decides which snapshot drives the table
// and which events the feed and history take.
// p is what was made of b off the UI goroutine (parts may be nil).
// Nothing here may keep the machine-wide batch's events: they go back to
// the feed once taken in (Model.batch, snapshotRefs.giveEvents).
func (m *Model) applyBatch(b live.Batch, p prepared) {
	now := m.now()
	w := b.Wide
	if w != nil && w.ExistingToCome {
		m.applyPart(b)
		return
	}
	if w != nil && b.TableKept {
		m.applyEvents(b, now)
		return
	}
	if w != nil {
		m.stats.observe(*w, m, p.wide)
		m.table.SetOwnersHidden(w.OwnersHidden)
		m.table.SetNetnsRanges(w.NetnsRanges) // its e mark, by each socket's own range
		// The feed's = line counts the first sample's sockets, all of
		// them: the events the merge leaves out of b.Events would drop
		// those a focus whose first batch came earlier covers, and a
		// paused display's held events would too. A summary of the start
		// rather than an event, it is taken in even while paused.
		m.feed.SetExisting(w.Events, w.Snapshot.Time, w.ExistingToCome)
	}
	if b.Listeners != nil {
		m.history.LearnListeners(b.Listeners)
	}
	m.history.Observe(b.History)
	if w != nil {
		if !w.Snapshot.Time.IsZero() {
			m.history.Advance(w.Snapshot.Time)
		}
		m.sockets = w.Snapshot.Sockets
		m.snapshots.arrive(w.Snapshot)
		if gone := m.views.observe(*w, now, m.stats.listeners, p.churn); gone != "" {
			m.status.info(safe.Text(gone) + " is no longer read: the churn panel and the map show all netns")
		}
	}
	m.focused = b.Focus
	if b.Reset {
		m.showWideTable()
	}
	if b.Err != nil {
		m.status.fail("filtered sampling stopped: " + b.Err.Error())
	}
	switch b.Show {
	case live.ShowEvents:
		if m.paused.on {
			m.paused.holdEvents(b.Events)
		} else {
			m.feed.Add(b.Events, b.Snapshot.Time)
		}
	case live.ShowWide, live.ShowFocused:
		if m.paused.on {
			m.paused.hold(b.Snapshot, b.Events)
			return
		}
		if b.NetnsRanges != nil { // a focused batch's: the wide one may be slow to come
			m.table.SetNetnsRanges(b.NetnsRanges)
		}
		m.table.ObservePrepared(p.rows, b.Snapshot.Sockets, b.Events, now)
		if b.Show == live.ShowFocused {
			m.snapshots.hide()
		} else {
			m.snapshots.show()
		}
		m.feed.Add(b.Events, b.Snapshot.Time)
		m.refreshExplain()
	}
}

// applyPart takes in a part of the machine-wide first sample's opens, more
// to come (see live.Merger's widePart): the feed's = line counts them and
// the port history takes them; the header, the table and the churn panel
// wait for the last part. Its snapshot is handed back as any other.
func (m *Model) applyPart(b live.Batch) {
	w := b.Wide
	m.feed.SetExisting(w.Events, w.Snapshot.Time, true)
	m.history.Observe(b.History)
	if !w.Snapshot.Time.IsZero() {
		m.history.Advance(w.Snapshot.Time)
	}
	m.sockets = w.Snapshot.Sockets
	m.snapshots.arrive(w.Snapshot)
	m.focused = b.Focus
}

// applyEvents takes in a machine-wide batch whose table is the one taken
// in last (live.Batch.TableKept: a paced view takes the events between its
// tables): the header's rates, the port history, the churn panel, the map,
// the feed and the table's highlights and lingering sockets take its
// events; the table's rows and the header's counts stand until the next
// table. Its snapshot is handed back at once: the view holds the one it
// took in before.
func (m *Model) applyEvents(b live.Batch, now time.Time) {
	w := b.Wide
	m.stats.observeEvents(*w)
	m.history.Observe(b.History)
	m.snapshots.give(w.Snapshot)
	if gone := m.views.observeEvents(*w, now, m.stats.listeners); gone != "" {
		m.status.info(safe.Text(gone) + " is no longer read: the churn panel and the map show all netns")
	}
	m.focused = b.Focus
	wide := b.Show == live.ShowWide // else a focus drives the table
	switch {
	case m.paused.on && wide && m.paused.snapshot == nil:
		m.paused.hold(m.snapshots.latest, b.Events) // its lingering rows at resume
		return
	case m.paused.on:
		m.paused.holdEvents(b.Events)
		return
	case wide:
		m.table.ObserveEvents(b.Events, now)
	}
	m.feed.Add(b.Events, w.Snapshot.Time)
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

// tellFilter tells the feed the filter's query, when it samples by it, and
// has the batch awaited taken at once (see nextBatch).
func (m *Model) tellFilter() {
	if qs, ok := m.cfg.Feed.(QuerySetter); ok {
		qs.SetQuery(m.filter.Query())
		select {
		case m.filterSet <- struct{}{}:
		default:
		}
	}
}

// viewSockets is the newest table the view shows: the focused one while
// a focus is live, else the machine-wide one.
func (m *Model) viewSockets() []sampler.Socket {
	if m.focused.Live {
		return m.focused.Sockets
	}
	return m.sockets
}

// onFrame runs on the display clock: highlights and lingering rows expire.
func (m *Model) onFrame() {
	if m.paused.on {
		return
	}
	m.table.Expire(m.now())
}

// focusedInterval is the focused sampling's interval for the header; 0
// while no focus is live.
func (m *Model) focusedInterval() time.Duration { return m.focused.Interval }
