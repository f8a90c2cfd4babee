package ui

import (
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// countingRecycler records which snapshots (by Time) were handed back.
type countingRecycler struct{ got []int }

func (c *countingRecycler) Recycle(s sampler.Snapshot) { c.got = append(c.got, s.Time.Second()) }

func snapAt(sec int) sampler.Snapshot {
	return sampler.Snapshot{Time: time.Date(2026, 1, 1, 0, 0, sec, 0, time.UTC)}
}

func TestSnapshotRefsGivesEachBackOnceWhenUnused(t *testing.T) {
	rec := &countingRecycler{}
	h := snapshotRefs{recycler: rec}

	h.arrive(snapAt(1))
	h.show()
	h.arrive(snapAt(2))
	h.show() // 1 is no longer shown nor newest
	want := []int{1}
	if !equalInts(rec.got, want) {
		t.Fatalf("live: recycled %v, want %v", rec.got, want)
	}

	// Paused: the table keeps showing 2 while 3 and 4 arrive.
	h.arrive(snapAt(3))
	if !equalInts(rec.got, []int{1}) {
		t.Fatalf("paused: recycled %v; 2 is still on screen and 3 is newest", rec.got)
	}
	h.arrive(snapAt(4)) // 3 was never shown and is no longer newest
	if !equalInts(rec.got, []int{1, 3}) {
		t.Fatalf("paused: recycled %v, want [1 3]", rec.got)
	}
	h.show() // resume: 2 leaves the screen
	if !equalInts(rec.got, []int{1, 3, 2}) {
		t.Fatalf("resumed: recycled %v, want [1 3 2]", rec.got)
	}
	h.arrive(snapAt(5))
	h.show()
	if !equalInts(rec.got, []int{1, 3, 2, 4}) {
		t.Fatalf("recycled %v, want [1 3 2 4]", rec.got)
	}
}

func TestSnapshotRefsWithoutRecycler(t *testing.T) {
	h := newSnapshotRefs(nil)
	h.arrive(snapAt(1))
	h.show()
	h.arrive(snapAt(2)) // must not panic with no recycler
	h.show()
	if h.shownID != h.latestID {
		t.Errorf("shown %d, latest %d", h.shownID, h.latestID)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
