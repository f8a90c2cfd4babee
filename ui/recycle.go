package ui

import "github.com/porttop/porttop/sampler"

// snapshotRefs hands each batch's snapshot back to the feed (sampler.Recycler)
// once nothing on screen reads it, so a steady live view allocates no new
// socket table per sample. Two snapshots can be alive: the newest (header,
// free-port answer, explain pane) and the one the table shows, which is
// older while the display is paused.
type snapshotRefs struct {
	recycler sampler.Recycler // nil when the feed does not reuse memory
	// events takes a machine-wide batch's Events back once the batch is
	// taken in (doneWithEvents); nil when the feed does not reuse them.
	events sampler.EventRecycler

	latest, shown     sampler.Snapshot
	latestID, shownID uint64 // 0: none
	nextID            uint64
}

func newSnapshotRefs(feed Feed) snapshotRefs {
	r, _ := feed.(sampler.Recycler)
	e, _ := feed.(sampler.EventRecycler)
	return snapshotRefs{recycler: r, events: e}
}

// doneWithEvents hands a machine-wide batch's events back to the feed
// once the batch is taken in: every part of the view that keeps events
// keeps copies (the feed's lines, the lingering closed rows, the held
// events of a paused display, the port history), so nothing reads them
// after. Under 2,000 connections a second a batch is 30-80k events (7-19
// MB) the poller otherwise allocates anew for the next one.
func (h *snapshotRefs) doneWithEvents(events []sampler.Event) {
	if h.events != nil && cap(events) > 0 {
		h.events.RecycleEvents(events)
	}
}

// arrive records a new batch's snapshot as the newest, giving back the
// previous newest unless the table still shows it.
func (h *snapshotRefs) arrive(s sampler.Snapshot) {
	h.nextID++
	old, oldID := h.latest, h.latestID
	h.latest, h.latestID = s, h.nextID
	if oldID != 0 && oldID != h.shownID {
		h.give(old)
	}
}

// show records that the table now shows the newest snapshot, giving back the
// one it showed before unless that is still the newest.
func (h *snapshotRefs) show() {
	if h.shownID != 0 && h.shownID != h.latestID {
		h.give(h.shown)
	}
	h.shown, h.shownID = h.latest, h.latestID
}

func (h *snapshotRefs) give(s sampler.Snapshot) {
	if h.recycler != nil {
		h.recycler.Recycle(s)
	}
}

// hide records that the table no longer shows a machine-wide snapshot (a
// focused one took its place), giving back the one it showed.
func (h *snapshotRefs) hide() {
	if h.shownID != 0 && h.shownID != h.latestID {
		h.give(h.shown)
	}
	h.shown, h.shownID = sampler.Snapshot{}, 0
}
