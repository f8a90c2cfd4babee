package ui

import "github.com/porttop/porttop/sampler"

// snapshotRefs hands each batch's snapshot back to the feed (sampler.Recycler)
// once nothing on screen reads it, so a steady live view allocates no new
// socket table per sample. Two snapshots can be alive: the newest (header,
// free-port answer, explain pane) and the one the table shows, which is
// older while the display is paused.
type snapshotRefs struct {
	recycler sampler.Recycler // nil when the feed does not reuse memory
	// events gets each machine-wide batch's events back once taken in
	// (see giveEvents); nil when the feed does not reuse them.
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

// giveEvents hands a machine-wide batch's events (live.Batch.Wide.Events)
// back to the feed once the batch is taken in: nothing keeps them (the
// feed, the table's lingering rows, a paused display copy what they keep).
// The live view's batches gather 1-2 s of events (tens of thousands under
// churn), a new slice each batch if not handed back.
func (h *snapshotRefs) giveEvents(events []sampler.Event) {
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
