package poll

import (
	"context"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// inTimeOrder fails the test if an event is stamped before the one it follows.
func inTimeOrder(t *testing.T, events []sampler.Event) {
	t.Helper()
	for i := 1; i < len(events); i++ {
		if events[i].Time.Before(events[i-1].Time) {
			t.Errorf("event %d (%s %v) at %v follows one at %v", i, events[i].Kind, events[i].Socket.Local,
				events[i].Time.Format("15:04:05.000000"), events[i-1].Time.Format("15:04:05.000000"))
		}
	}
}

// A socket released while a sample's dump was in flight: the sample saw it
// and reports it opened, stamped when the dump ended; its release, received
// during the dump, comes to the poller afterwards. The close must not come
// out stamped before the open it follows, nor before anything published in
// an earlier batch; events stamped later keep their own time.
func TestPollerStreamIsInTimeOrder(t *testing.T) {
	ctx := context.Background()
	p, _ := newTestPoller(t, Config{},
		ok(snap(t, at(0), sockA)),
		ok(snap(t, at(2), sockA, sockB)),
	)
	p.sample(ctx)
	p.sample(ctx)
	duringDump := at(1).Add(900 * time.Millisecond)
	p.handleReleases(sampler.Release{Socket: sock(t, sockB), At: duringDump}, nil)
	b := take(t, p)
	wantKinds(t, b.Events, "open 127.0.0.1:40001 existing", "open 127.0.0.1:40002", "close 127.0.0.1:40002")
	inTimeOrder(t, b.Events)
	if c := b.Events[2]; !c.Time.Equal(at(2)) {
		t.Errorf("close stamped %v, want the sample's time %v: no later than the report was known", c.Time, at(2))
	}
	// Moved, the close keeps when it happened; the others were not moved.
	for _, e := range b.Events[:2] {
		if !e.Happened.IsZero() {
			t.Errorf("%s %v not moved, yet Happened %v", e.Kind, e.Socket.Local, e.Happened)
		}
	}
	if c := b.Events[2]; !c.When().Equal(duringDump) {
		t.Errorf("close: When %v, want the release's %v", c.When().Sub(t0), duringDump.Sub(t0))
	}

	// In a later batch: a socket that lived and died during that dump too.
	p.handleReleases(sampler.Release{Socket: sock(t, sockC), At: duringDump}, nil)
	late := take(t, p).Events
	wantKinds(t, late, "open 127.0.0.1:40003 seen-at-end", "close 127.0.0.1:40003 seen-at-end")
	for _, e := range late {
		if e.Time.Before(at(2)) {
			t.Errorf("%s stamped %v, before the %v already published", e.Kind, e.Time, at(2))
		}
	}

	// A release after the sample keeps the time the kernel reported it.
	p.handleReleases(sampler.Release{Socket: sock(t, sockA), At: at(3)}, nil)
	if e := take(t, p).Events; len(e) != 1 || !e[0].Time.Equal(at(3)) || e[0].Held != 3*time.Second {
		t.Errorf("a release after the sample: %q at %v, want a close at %v held 3s", kinds(e), e[0].Time, at(3))
	}
}

// Within one batch, releases handled in the order received keep that order
// even when a later one carries an earlier time: it is moved up to the
// time of the one before, never ahead of it.
func TestPollerReleaseBatchInTimeOrder(t *testing.T) {
	p, _ := newTestPoller(t, Config{}, ok(snap(t, at(0))))
	p.sample(context.Background())
	take(t, p)
	queue := make(chan sampler.Release, 1)
	queue <- sampler.Release{Socket: sock(t, sockC), At: at(1)}
	p.handleReleases(sampler.Release{Socket: sock(t, sockB), At: at(2)}, queue)
	b := take(t, p)
	wantKinds(t, b.Events, "open 127.0.0.1:40002 seen-at-end", "close 127.0.0.1:40002 seen-at-end",
		"open 127.0.0.1:40003 seen-at-end", "close 127.0.0.1:40003 seen-at-end")
	inTimeOrder(t, b.Events)
}

// Releases already queued when a sample is due are applied first: they were
// reported before its dump began, so they keep their own time, and the
// sample (which no longer lists the socket) reports nothing more of it.
func TestPollerAppliesQueuedReleasesBeforeSample(t *testing.T) {
	ctx := context.Background()
	p, _ := newTestPoller(t, Config{},
		ok(snap(t, at(0), sockA, sockB)),
		ok(snap(t, at(2), sockB)),
	)
	p.sample(ctx)
	take(t, p)
	queue := make(chan sampler.Release, 1)
	queue <- sampler.Release{Socket: sock(t, sockA), At: at(1)}
	p.releases = queue
	p.sample(ctx)
	b := take(t, p)
	wantKinds(t, b.Events, "close 127.0.0.1:40001")
	if e := b.Events[0]; !e.Time.Equal(at(1)) || e.Held != time.Second {
		t.Errorf("close at %v held %v, want at %v held 1s as reported", e.Time, e.Held, at(1))
	}
}

func TestStampInOrder(t *testing.T) {
	for _, c := range []struct {
		name        string
		floor       int
		times, want []int
		newest      int
	}{
		{"already in order", 0, []int{1, 1, 2, 5}, []int{1, 1, 2, 5}, 5},
		{"older than the floor", 4, []int{1, 5, 3, 6}, []int{4, 5, 5, 6}, 6},
		{"none", 7, nil, nil, 7},
	} {
		events := make([]sampler.Event, len(c.times))
		for i, s := range c.times {
			events[i].Time = at(s)
		}
		newest := stampInOrder(events, at(c.floor))
		for i := range events {
			if !events[i].Time.Equal(at(c.want[i])) {
				t.Errorf("%s: event %d at %v, want %v", c.name, i, events[i].Time, at(c.want[i]))
			}
		}
		if !newest.Equal(at(c.newest)) {
			t.Errorf("%s: newest %v, want %v", c.name, newest, at(c.newest))
		}
	}
}

// An event moved forward to keep the stream in order keeps the time it
// really happened in Happened, and When gives that; one left alone has no
// Happened and When is its Time.
func TestStampInOrderKeepsWhenItHappened(t *testing.T) {
	events := []sampler.Event{
		{Kind: sampler.Closed, Time: at(1)},                  // before the floor: moved
		{Kind: sampler.Opened, Time: at(5)},                  // after: kept
		{Kind: sampler.Closed, Time: at(4)},                  // before the event it follows: moved
		{Kind: sampler.Closed, Time: at(2), Happened: at(1)}, // moved before: its first time is kept
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
