package poll

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// The event stream is in time order by construction: every event goes out
// through pending.add, which stamps it no earlier than the newest event
// already published (see stampInOrder).
//
// Order breaks without it because a sample's events carry the sample's time,
// which the source takes once its dump (and attribution) is done, while a
// release carries the moment the watcher received the kernel's report. A
// socket released while a dump was in flight, or whose report sat in the
// watcher (TIME_WAIT lookups) or in the poller's queue, is reported after a
// sample stamped later than its release. Its event is then stamped at that
// sample's time: the release happened no later than that (the report was
// known by then), and its open, published with the sample, must not follow
// its close. Held is left as measured up to the release itself, and the
// release's own time is kept in Happened (see Event.When).
//
// The other way round cannot happen: releases are applied as they arrive
// and before each sample (drainReleases), so a release handled before a
// sample was received before that sample's dump began.

// stampInOrder moves, in place, every event stamped before floor (or
// before an earlier event in events) to that time, and returns the newest
// time in events, or floor. The order of events is kept: it is the order
// they happened in (an open before its own state change and close).
func stampInOrder(events []sampler.Event, floor time.Time) time.Time {
	for i := range events {
		if events[i].Time.Before(floor) {
			if events[i].Happened.IsZero() {
				events[i].Happened = events[i].Time
			}
			events[i].Time = floor
		} else {
			floor = events[i].Time
		}
	}
	return floor
}

// drainReleases applies the releases already queued before a sample, so
// that those reported before its dump began go out stamped as the kernel
// reported them rather than after the sample's own events. The dump that
// follows sees their result, as it would had they arrived a moment sooner.
func (p *Poller) drainReleases() {
	select {
	case r := <-p.releases:
		p.handleReleases(r, p.releases)
	default:
	}
}
