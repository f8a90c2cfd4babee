package live

import (
	"slices"
	"time"

	"github.com/porttop/porttop/sampler"
)

// coverage is a span of time in which a focus reported the events of the
// sockets its query covers.
type coverage struct {
	query       sampler.Query
	since, till time.Time // till zero: still running
}

// covers reports whether the focus already reported e: whether e happened
// in its span. That is e.When, not e.Time, which the machine-wide poller
// may have moved forward to keep its stream in order (into the span, or
// past its end).
func (c *coverage) covers(e *sampler.Event) bool {
	when := e.When()
	if c.since.IsZero() || when.Before(c.since) || (!c.till.IsZero() && when.After(c.till)) {
		return false
	}
	return c.query.MatchesAddrs(&e.Socket)
}

// uncovered is events less those a focus reported (or is reporting): what
// the feed and the port history take from a machine-wide batch. It returns
// events itself when it drops none.
func (m *Merger) uncovered(events []sampler.Event) []sampler.Event {
	live := coverage{query: m.query, since: m.since}
	if !m.live {
		live = coverage{}
	}
	drop := func(e *sampler.Event) bool { return live.covers(e) || m.ended.covers(e) || m.early.fed(e) }
	if !slices.ContainsFunc(events, func(e sampler.Event) bool { return drop(&e) }) {
		return events
	}
	kept := make([]sampler.Event, 0, len(events))
	for i := range events {
		if !drop(&events[i]) {
			kept = append(kept, events[i])
		}
	}
	return kept
}

// firstSampleTime is when a focus's first batch was sampled: the time of
// its Existing events (a merged batch's snapshot is its newest sample), as
// they happened, like the events coverage is judged on.
func firstSampleTime(b sampler.Batch) time.Time {
	for i := range b.Events {
		if b.Events[i].Existing {
			return b.Events[i].When()
		}
	}
	return b.Snapshot.Time
}
