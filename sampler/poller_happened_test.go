package sampler

import (
	"context"
	"testing"
	"time"
)

// An event moved forward to keep the stream in order keeps the time it
// really happened in Happened, and When gives that; one left alone has no
// Happened and When is its Time.
func TestStampInOrderKeepsWhenItHappened(t *testing.T) {
	events := []Event{
		{Kind: Closed, Time: at(1)},                  // before the floor: moved
		{Kind: Opened, Time: at(5)},                  // after: kept
		{Kind: Closed, Time: at(4)},                  // before the event it follows: moved
		{Kind: Closed, Time: at(2), Happened: at(1)}, // moved before: its first time is kept
	}
	if latest := stampInOrder(events, at(3)); !latest.Equal(at(5)) {
		t.Errorf("stampInOrder returned %v, want %v", latest.Sub(t0), at(5).Sub(t0))
	}
	for i, want := range []struct{ time, happened, when time.Time }{
		{at(3), at(1), at(1)},
		{at(5), time.Time{}, at(5)},
		{at(5), at(4), at(4)},
		{at(5), at(1), at(1)},
	} {
		e := events[i]
		if !e.Time.Equal(want.time) || !e.Happened.Equal(want.happened) || !e.When().Equal(want.when) {
			t.Errorf("event %d: Time %v, Happened %v, When %v; want %v, %v, %v", i,
				e.Time.Sub(t0), e.Happened, e.When().Sub(t0), want.time.Sub(t0), want.happened, want.when.Sub(t0))
		}
	}
}

// Through the poller: a release received during a dump goes out stamped at
// the sample's time, Happened at the release.
func TestPollerMovedCloseKeepsItsReleaseTime(t *testing.T) {
	ctx := context.Background()
	p, _ := newTestPoller(t, PollerConfig{},
		ok(snap(t, at(0), sockA)),
		ok(snap(t, at(2), sockA, sockB)),
	)
	p.sample(ctx)
	p.sample(ctx)
	duringDump := at(1).Add(900 * time.Millisecond)
	p.handleReleases(Release{Socket: sock(t, sockB), At: duringDump}, nil)
	b := take(t, p)
	wantKinds(t, b.Events, "open 127.0.0.1:40001 existing", "open 127.0.0.1:40002", "close 127.0.0.1:40002")
	for _, e := range b.Events[:2] {
		if !e.Happened.IsZero() {
			t.Errorf("%s %v not moved, yet Happened %v", e.Kind, e.Socket.Local, e.Happened)
		}
	}
	if c := b.Events[2]; !c.Time.Equal(at(2)) || !c.When().Equal(duringDump) {
		t.Errorf("close: Time %v, When %v; want %v and the release's %v", c.Time.Sub(t0), c.When().Sub(t0), at(2).Sub(t0), duringDump.Sub(t0))
	}
}
