package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/live"
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

// stillFeed is a feed whose batches the test hands the model itself.
type stillFeed struct{}

func (stillFeed) Next(ctx context.Context) (live.Batch, error) {
	<-ctx.Done()
	return live.Batch{}, ctx.Err()
}

// reusingFeed takes each batch's events back and overwrites them, as the
// poller does when it fills them with a later batch's.
type reusingFeed struct {
	stillFeed
	got int
}

func (f *reusingFeed) RecycleEvents(events []sampler.Event) {
	f.got++
	events = events[:cap(events)]
	for i := range events {
		events[i] = sampler.Event{Kind: sampler.Opened, Socket: sock(sampler.UDP, "10.9.9.9:9", "", sampler.StateNone, 9, "overwritten", t0)}
	}
}

// TestBatchEventsGoBackOnceTakenIn: each machine-wide batch's events go
// back to the feed once taken in, and the view, paused or not, draws the
// very screens of a view that keeps them: every part keeps copies.
func TestBatchEventsGoBackOnceTakenIn(t *testing.T) {
	reuse := &reusingFeed{}
	var views [2]Model
	for i, feed := range []Feed{stillFeed{}, reuse} {
		c := &clock{t: t0}
		cfg := testConfig(c)
		cfg.Feed = feed
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		m = update(m, tea.WindowSizeMsg{Width: 120, Height: 30})
		m = update(m, firstBatch(t0, baseSockets()), batchCurlOpens())
		m = update(m, keys(" ")...) // paused: the close's events are held
		c.advance(time.Second)
		m = update(m, batchCurlClosesGitWaits())
		m = update(m, keys(" ")...) // resumed: the held events shown
		views[i] = m
	}
	if reuse.got != 3 {
		t.Errorf("%d batches' events handed back, want 3", reuse.got)
	}
	if plain, reused := views[0].View(), views[1].View(); plain != reused {
		t.Errorf("with the events reused the view draws\n%s\nwant\n%s", reused, plain)
	}
	if v := views[1].View(); strings.Contains(v, "overwritten") || !strings.Contains(v, "curl") {
		t.Errorf("the view lost the batches' events:\n%s", v)
	}
}
