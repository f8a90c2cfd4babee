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

// eventFeed yields its batches in turn (each through live.Alone, as the
// live feed makes a machine-wide one) and records the events handed back.
type eventFeed struct {
	batches []sampler.Batch
	back    [][]sampler.Event
}

func (f *eventFeed) Next(ctx context.Context) (live.Batch, error) {
	if len(f.batches) == 0 {
		<-ctx.Done()
		return live.Batch{}, ctx.Err()
	}
	b := f.batches[0]
	f.batches = f.batches[1:]
	return live.Alone(b), nil
}

func (f *eventFeed) RecycleEvents(ev []sampler.Event) { f.back = append(f.back, ev) }

// A machine-wide batch's events go back to the feed once taken in, and
// nothing on screen reads them afterwards: the poller fills that memory
// with later events. Here it is scribbled over, and the closed socket's
// lingering row, the feed's lines and the explain pane still show what
// the batch said.
// Paused, the close's events are held until the display resumes: held as
// copies too.
func TestBatchEventsGoBackOnceTakenIn(t *testing.T) {
	for _, paused := range []bool{false, true} {
		t.Run(map[bool]string{false: "running", true: "paused"}[paused], func(t *testing.T) {
			batchEventsGoBack(t, paused)
		})
	}
}

func batchEventsGoBack(t *testing.T, paused bool) {
	c := &clock{t: t0}
	cfg := testConfig(c)
	first, opens, closes := firstBatch(t0, baseSockets()), batchCurlOpens(), batchCurlClosesGitWaits()
	feed := &eventFeed{batches: []sampler.Batch{first.Batch, opens.Batch, closes.Batch}}
	cfg.Feed = feed
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m = update(m, tea.WindowSizeMsg{Width: 140, Height: 30})
	for i := range 3 {
		if paused && i == 1 {
			m = update(m, keys(" ")...)
		}
		msg := nextBatch(m.ctx, feed, 0, nil, m.prep)()
		next, _ := m.Update(msg)
		m = next.(Model)
		if len(feed.back) != i+1 {
			t.Fatalf("batch %d: %d event slices handed back", i, len(feed.back))
		}
		back := feed.back[i]
		for j := range back {
			back[j] = sampler.Event{Kind: sampler.Opened, Socket: sock(sampler.TCP, "10.9.9.9:9", "", sampler.StateListen, 6666, "SCRIBBLED", t0)}
		}
	}
	if paused {
		m = update(m, keys(" ")...) // resumed: the held events shown
	}
	view := m.View()
	if strings.Contains(view, "SCRIBBLED") {
		t.Fatalf("the view reads events it handed back:\n%s", view)
	}
	for _, want := range []string{"curl", "git"} {
		if !strings.Contains(view, want) {
			t.Errorf("no %s on screen:\n%s", want, view)
		}
	}
	m.cancel()
}
