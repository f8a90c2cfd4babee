package ui

import (
	"strings"
	"testing"
	"time"
)

// A batch that costs the view little is followed by the next after
// minFrame; a costly one (a big table) by a wait that keeps the view's work
// on batches, with what it costs the process beside (indirect), to
// viewBudget (5%) of a core, up to maxFrame.
func TestFrameKeepsTheViewToItsBudget(t *testing.T) {
	for cost, want := range map[time.Duration]time.Duration{
		0:                      minFrame,
		3 * time.Millisecond:   minFrame,
		5 * time.Millisecond:   166250 * time.Microsecond,
		40 * time.Millisecond:  1330 * time.Millisecond,
		100 * time.Millisecond: maxFrame,
		5 * time.Second:        maxFrame,
	} {
		if got := frameFor(cost); got != want {
			t.Errorf("frameFor(%v) = %v, want %v", cost, got, want)
		}
	}
	// The budget itself: over a run of batches of the same cost, the
	// view's work is at most viewBudget percent of the time.
	for _, cost := range []time.Duration{5 * time.Millisecond, 30 * time.Millisecond, 50 * time.Millisecond} {
		whole := cost * (100 + indirect) / 100
		if share := 100 * whole / (cost + frameFor(cost)); share > viewBudget {
			t.Errorf("batches of %v each take %d%% of the time, want at most %d%%", cost, share, viewBudget)
		}
	}
}

// The header says when the table is shown less often than it is sampled,
// and stops saying so once batches are cheap again.
func TestHeaderSaysWhenBatchesAreShownLessOften(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 120, 30)
	m = update(m, firstBatch(t0, baseSockets()))
	if v := m.View(); strings.Contains(v, "shown every") {
		t.Fatalf("a cheap batch says it is shown less often:\n%s", v)
	}
	costly := viewMsg(m, nextBatchMsg(t0.Add(time.Second), baseSockets())).(BatchMsg)
	cheap := viewMsg(m, nextBatchMsg(t0.Add(2*time.Second), baseSockets())).(BatchMsg)
	paced := &pacedFeed{Feed: m.cfg.Feed, taken: -1}
	m.cfg.Feed = paced
	next, cmd := m.batch(costly, prepared{cost: 50 * time.Millisecond}, false)
	if cmd == nil {
		t.Fatal("no command waits for the next batch")
	}
	m = next.(Model)
	m.layout()
	if v := m.View(); !strings.Contains(v, "shown every 1.66s") {
		t.Errorf("after a batch that cost 50ms the header does not say \"shown every 1.66s\":\n%s", v)
	}
	if paced.taken != 1662500*time.Microsecond {
		t.Errorf("the feed was told batches are taken every %v, want 1.6625s", paced.taken)
	}
	next, _ = m.batch(cheap, prepared{}, false)
	m = next.(Model)
	m.layout()
	if v := m.View(); strings.Contains(v, "shown every") {
		t.Errorf("a cheap batch again still says it is shown less often:\n%s", v)
	}
	if paced.taken != 0 {
		t.Errorf("after a cheap batch the feed was told batches are taken every %v, want 0 (as they come)", paced.taken)
	}
}

// pacedFeed records what the view tells it of its pace.
type pacedFeed struct {
	Feed
	taken time.Duration
}

func (f *pacedFeed) SetTakenEvery(d time.Duration) { f.taken = d }
