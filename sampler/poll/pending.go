package poll

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
)

// pending is the batch not yet taken by Next. The poller adds to it under mu
// and signals; Next takes it whole. Neither side ever waits on the other for
// longer than a copy of a few fields.
type pending struct {
	mu        sync.Mutex
	batch     sampler.Batch
	ready     bool
	maxEvents int
	tableLen  int // the sockets in the last snapshot published (see limit)
	dropped   uint64
	latest    time.Time     // the newest event time published (see stampInOrder)
	signal    chan struct{} // capacity 1: "something is pending"
	refs      *snapRefs     // the pending snapshot is held; each delivery counts
	// freeEvents is a taken batch's Events handed back (RecycleEvents),
	// for the next batch's events to fill.
	freeEvents []sampler.Event
	// taken counts the batches Next took (see Poller.tableDue);
	// takenEvents is how many events each of the last two carried (see
	// room).
	taken       uint64
	takenEvents [2]int
	// takenKnown is how many batches takenEvents holds (at most 2): the
	// parts of the first sample's opens are not counted (see lastTaken).
	takenKnown int
	// existing are the first sample's opens still to hand out, made as
	// Next takes them (existing.go); existingAt is how many of batch's
	// events come before them.
	existing   *existingOpens
	existingAt int
	// existingDone: the last part of them was taken.
	existingDone bool
	// out: the last batch taken carried events that its consumer, one
	// that hands them back (recycles), has not yet handed back; the
	// pending batch waits for them rather than make room of its own
	// (see room, recycleEvents).
	out, recycles bool
}

// room makes room in events, the pending batch's, for n more. A batch a
// slow consumer takes (the live view, every 2-3 s on a big table) gathers
// tens of thousands of events by appends of a tick's each: grown by
// append's steps (1.25x for big slices) that cost about five times the
// batch, most of the poller's allocation under churn. It grows at once to
// what the last batches taken held (the smaller of the last two: not the
// first sample's every socket, or a check's burst, again), and past it by
// append's steps: about one batch's size a batch, and no more room held
// than append would. Never past limit, unless n itself is (the oldest
// are dropped then).
//
// While the consumer still holds the last batch's events and hands them
// back (the live view, 0.2-0.5 s after each take), the batch grows by
// doubling instead, until a quarter of the last batch: the slice handed
// back is then the room (recycleEvents moves the batch into it), so one
// batch-sized slice is held, not two (the one filling and the one handed
// back, idle until the next batch: 20 MB each at ~100k sockets under
// BIG=1's churn).
func (p *pending) room(events []sampler.Event, n int) []sampler.Event {
	need := len(events) + n
	if need <= cap(events) {
		return events
	}
	if cap(p.freeEvents) >= need { // a taken batch's, handed back
		grown := append(p.freeEvents[:0], events...)
		p.freeEvents = nil
		return grown
	}
	last := p.lastTaken()
	want := min(max(need+need/4, last+last/8), p.limit())
	if p.out && need < last/4 {
		want = 2 * need // the slice handed back will do
	}
	grown := make([]sampler.Event, len(events), max(need, want))
	copy(grown, events)
	return grown
}

// lastTaken is how many events the last batches taken held, by which
// room and recycleEvents judge the next: the smaller of the last two (not
// the first sample's every socket, or a check's burst, again). The parts
// of the first sample's opens (existing.go) are none of them: their size
// is the part's, and a paced consumer's batches after them grew again by
// append's steps from it (five times a batch, twice over, in the live
// view). After them the first batch taken alone is the forecast: the
// first sample's opens are not in it.
func (p *pending) lastTaken() int {
	if p.takenKnown == 1 && p.existingDone {
		return p.takenEvents[1]
	}
	return min(p.takenEvents[0], p.takenEvents[1])
}

// limit is how many events may wait: maxEvents, or a quarter more than
// the table holds if that is more. The first sample's events are an open
// for every socket on the machine: with 110k sockets and the default cap
// of 100k, the first batch lost its oldest 10k opens and the stream said
// it fell behind before it began. What may wait stays bounded by the
// table, which is held anyway.
func (p *pending) limit() int {
	return max(p.maxEvents, p.tableLen+p.tableLen/4)
}

// maxFreeEvents bounds the events slice pending keeps for reuse (~2.6 MB),
// or twice the smaller of the last two batches taken if that is more (a
// paced consumer's batches: the live view's, every 1-2 s, 20-50k events
// under churn): the first batch's events are every socket on the machine,
// and go.
const maxFreeEvents = 8192

func newPending(maxEvents int, source string, refs *snapRefs) *pending {
	return &pending{maxEvents: maxEvents, signal: make(chan struct{}, 1), batch: sampler.Batch{Source: source}, refs: refs}
}

// update is what one step of the poller adds to the pending batch.
type update struct {
	snapshot *sampler.Snapshot // nil: keep the pending snapshot (release events only)
	// events are given to pending, which may keep the slice itself (the
	// first sample's are every socket: 33 MB at 100k): never a buffer
	// the caller reuses, unless borrowed says it is (pending then copies
	// them: into the events it holds, or, holding none, a slice of their
	// own).
	events       []sampler.Event
	borrowed     bool
	existing     *existingOpens // the first sample's opens, after the events pending holds
	sampled      bool           // a sample was taken (successful or not)
	err          error
	cost         time.Duration
	interval     time.Duration
	notes        []string
	ownersHidden bool
	audit        Audit
	ephemeral    sampler.EphemeralRange
	netnsRanges  []sampler.NetnsRange
	failures     []sampler.FailureCount
	// disagreements: see Reconciler.Disagreements
	disagreements uint64
}

func (p *pending) add(u update) {
	p.mu.Lock()
	b := &p.batch
	if u.snapshot != nil {
		p.refs.hold(u.snapshot.Sockets)
		p.refs.drop(b.Snapshot.Sockets)
		b.Snapshot = *u.snapshot
		p.tableLen = len(u.snapshot.Sockets)
	}
	if u.existing != nil {
		p.startExisting(u.existing)
	}
	p.latest = stampInOrder(u.events, p.latest)
	if len(b.Events) == 0 && !u.borrowed && cap(p.freeEvents) < len(u.events) {
		b.Events = u.events // given: kept, not copied
	} else {
		b.Events = append(p.room(b.Events, len(u.events)), u.events...)
	}
	if over := len(b.Events) - p.limit(); over > 0 {
		// Drop the oldest: the newest events explain the newest snapshot.
		b.Events = slices.Delete(b.Events, 0, over)
		p.dropped += uint64(over)
		p.existingAt = max(0, p.existingAt-over)
	}
	if u.sampled {
		b.Samples++
		b.Err, b.Cost, b.Interval = u.err, u.cost, u.interval
	}
	if u.audit.Kernel != nil {
		b.Kernel = u.audit.Kernel
	}
	b.Notes, b.OwnersHidden = u.notes, u.ownersHidden
	b.Reported, b.ReportedTCP, b.ReportedTCPAtKernel = u.audit.Reported, u.audit.ReportedTCP, u.audit.ReportedTCPAtKernel
	b.Dropped = p.dropped
	b.Ephemeral = u.ephemeral
	b.NetnsRanges = u.netnsRanges
	b.Failures = sampler.MergeFailures(b.Failures, u.failures)
	b.Disagreements = u.disagreements
	p.ready = true
	p.mu.Unlock()
	select {
	case p.signal <- struct{}{}:
	default: // already signalled; Next will take everything
	}
}

// RecycleEvents hands back a taken batch's Events for a later batch's
// events to fill (sampler.EventRecycler). The caller must not touch them
// afterwards.
func (p *Poller) RecycleEvents(events []sampler.Event) {
	p.pending.recycleEvents(events)
}

var _ sampler.EventRecycler = (*Poller)(nil)

func (p *pending) recycleEvents(events []sampler.Event) {
	p.mu.Lock()
	p.out, p.recycles = false, true
	limit := max(maxFreeEvents, 2*p.lastTaken())
	p.mu.Unlock()
	if cap(events) == 0 || cap(events) > limit {
		return
	}
	clear(events[:cap(events)]) // sockets hold strings: let them go
	p.mu.Lock()
	defer p.mu.Unlock()
	b := &p.batch
	switch {
	case len(b.Events) == 0:
		if cap(events) > cap(p.freeEvents) {
			p.freeEvents = events[:0]
		}
	case cap(events) > cap(b.Events):
		// The batch gathered since the take moves into the slice
		// handed back, its own let go (see room).
		b.Events = append(events[:0], b.Events...)
	default:
		// The batch has room of its own already: a second slice kept
		// for the next batch would be idle until then.
	}
}

// takenCount is how many batches Next took so far.
func (p *pending) takenCount() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.taken
}

// Next blocks until a batch is pending or ctx ends, and takes it: every event
// since the previous Next, the newest snapshot, and Samples saying how many
// samples were merged into it.
func (p *Poller) Next(ctx context.Context) (sampler.Batch, error) {
	for {
		if b, ok := p.pending.take(); ok {
			return b, nil
		}
		select {
		case <-p.pending.signal:
		case <-ctx.Done():
			return sampler.Batch{}, ctx.Err()
		}
	}
}

func (p *pending) take() (sampler.Batch, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.ready {
		return sampler.Batch{}, false
	}
	b := p.batch
	var rest []sampler.Event // events that wait behind the first sample's opens
	part := p.existing != nil
	if part {
		rest = p.takeExisting(&b)
	}
	p.taken++
	if !part { // see lastTaken
		p.takenEvents = [2]int{p.takenEvents[1], len(b.Events)}
		p.takenKnown = min(p.takenKnown+1, 2)
	}
	p.out = p.recycles && cap(b.Events) > 0
	p.refs.deliver(b.Snapshot.Sockets)
	// The next batch starts from the same snapshot (it is never written to
	// again) so a batch of release events alone still carries a table.
	p.batch = sampler.Batch{
		Snapshot: b.Snapshot, Source: b.Source, Interval: b.Interval, Cost: b.Cost,
		Err: b.Err, Notes: b.Notes, OwnersHidden: b.OwnersHidden, Kernel: b.Kernel, Reported: b.Reported, ReportedTCP: b.ReportedTCP, Dropped: b.Dropped,
		Ephemeral: b.Ephemeral, Disagreements: b.Disagreements, Events: rest,
		// A part of the first sample's opens is a batch no step added to:
		// what every step sets goes on.
		NetnsRanges: b.NetnsRanges, ReportedTCPAtKernel: b.ReportedTCPAtKernel,
	}
	p.ready = p.existing != nil || len(rest) > 0
	return b, true
}
