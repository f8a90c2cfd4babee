package poll

import (
	"cmp"
	"slices"
	"time"

	"github.com/porttop/porttop/sampler"
)

// The first sample's events are an Existing open for every socket on the
// machine: at 100k sockets, 100k events of 240 bytes (24 MB), on top of
// the table they copy, alive from the diff until the consumer has written
// the last of them. With Config.ExistingInParts the poller makes none of
// them at the sample: the table is the record of what they would say, and
// the opens are made from it as the consumer takes them, a part at a time
// (existingOpens), each part into the events the consumer handed back.
//
// The stream stays as it was: the same opens, in the same order (by local
// port then ID, one per socket however many rows repeat it), stamped as
// stampInOrder would have, and every event published after the first
// sample waits until the last part has gone, so that a socket's state
// change or close never comes before its open.

// existingOpens is the first sample's opens still to hand out: the table
// they are made from, held (snapRefs) until the last part, and the order of
// its rows to make them in.
type existingOpens struct {
	table sampler.Snapshot
	// order are the rows of table to open, in the diff's order (by local
	// port, then ID), a row repeating an ID left out; next is the first not
	// handed out yet.
	order []int32
	next  int
	// at and happened are the opens' Time and Happened (see stampInOrder).
	at, happened time.Time
	part         int // the most opens a batch carries
}

// newExistingOpens orders the rows of table (the first sample, stamped:
// see Reconciler.stampExisting) to open them.
func newExistingOpens(table sampler.Snapshot, part int) *existingOpens {
	rows := table.Sockets
	order := make([]int32, len(rows))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := sampler.CompareIDs(rows[a].ID, rows[b].ID); c != 0 {
			return c
		}
		return cmp.Compare(a, b) // a repeated ID: its first row opens it
	})
	order = slices.CompactFunc(order, func(a, b int32) bool { return rows[a].ID == rows[b].ID })
	return &existingOpens{table: table, order: slices.Clip(order), at: table.Time, part: max(part, 1)}
}

// stamp moves the opens' time to floor if it is later (see stampInOrder)
// and returns the newest time published.
func (x *existingOpens) stamp(floor time.Time) time.Time {
	if x.at.Before(floor) {
		x.happened, x.at = x.at, floor
	}
	return x.at
}

// left is how many opens are still to hand out.
func (x *existingOpens) left() int { return len(x.order) - x.next }

// take appends the next part's opens to events.
func (x *existingOpens) take(events []sampler.Event) []sampler.Event {
	n := min(x.part, x.left())
	events = slices.Grow(events, n)
	for _, i := range x.order[x.next : x.next+n] {
		events = append(events, sampler.Event{
			Kind: sampler.Opened, Time: x.at, Happened: x.happened,
			Socket: x.table.Sockets[i], Existing: true,
		})
	}
	x.next += n
	return events
}

// startExisting puts the first sample's opens after the events pending
// holds, and holds their table until the last part is taken.
func (p *pending) startExisting(x *existingOpens) {
	p.refs.hold(x.table.Sockets)
	p.latest = x.stamp(p.latest)
	p.existing, p.existingAt = x, len(p.batch.Events)
}

// takeExisting makes b's events the ones pending held before the first
// sample's opens and the next part of those, and returns the events that
// wait behind them, for the next batch. The part is made in the events the
// consumer handed back where they are big enough.
func (p *pending) takeExisting(b *sampler.Batch) []sampler.Event {
	x, held := p.existing, b.Events
	part := p.freeEvents[:0]
	p.freeEvents = nil
	if n := p.existingAt + min(x.part, x.left()); cap(part) < n {
		part = make([]sampler.Event, 0, n)
	}
	part = append(part, held[:p.existingAt]...)
	b.Events = x.take(part)
	rest := held[:copy(held, held[p.existingAt:])]
	clear(held[len(rest):]) // sockets hold strings: let them go
	p.existingAt = 0
	if x.left() == 0 {
		p.refs.drop(x.table.Sockets)
		p.existing, p.existingDone = nil, true
	}
	b.ExistingToCome = p.existing != nil
	return rest
}
