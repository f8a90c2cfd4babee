package poll

import (
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

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
