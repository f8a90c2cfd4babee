package main

import (
	"slices"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/filter"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/sampler/record"
)

// rangeFollower keeps `porttop watch`'s filter in step with the OS
// ephemeral range while it runs: the filter's "ephemeral" term stands for
// the range in force, and so does what the source is asked for.
type rangeFollower struct {
	text      string              // the filter as given; "" for none
	ephemeral ports.Range         // the range the filter was last parsed with
	requery   func(sampler.Query) // the poller's SetQuery; nil for none
}

// followRange takes in the range a batch carries, before its events are
// filtered: a new range re-parses the filter and, when that changes what
// the source is asked for, asks again.
func (s *streamer) followRange(b sampler.Batch) {
	fr := &s.follow
	r := b.Ephemeral.Range
	if !r.Known() || r == fr.ephemeral {
		return
	}
	fr.ephemeral = r
	if fr.text == "" {
		return
	}
	f, err := filter.Parse(fr.text, r)
	if err != nil {
		return // it parsed at the start, and a range cannot make it bad
	}
	before := s.filter.Query()
	s.filter = f
	if q := f.Query(); fr.requery != nil && !sameQuery(before, q) {
		fr.requery(q)
	}
}

// rangeChange is the batch's range as a writer takes it.
// writeWithRanges writes a batch's events with the ranges in force: other
// namespaces' first (a line for each new or changed one), then porttop's
// own, at its place among the events.
func writeWithRanges(w *record.Writer, events []sampler.Event, b sampler.Batch) error {
	if err := w.WriteNetnsRanges(b.Snapshot.Time, b.NetnsRanges); err != nil {
		return err
	}
	return w.WriteWithRange(events, rangeChange(b))
}

func rangeChange(b sampler.Batch) record.RangeChange {
	return record.RangeChange{Time: b.Ephemeral.Since, Range: b.Ephemeral.Range}
}

func sameQuery(a, b sampler.Query) bool {
	return a.States == b.States && slices.Equal(a.Protos, b.Protos) && slices.Equal(a.Ports, b.Ports)
}
