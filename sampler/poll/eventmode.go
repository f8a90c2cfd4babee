package poll

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/porttop/porttop/sampler"
)

// CheckEvery is how often a poller whose source keeps the TCP table by its
// transitions (sampler.EventTable) takes a full sample to check that table
// (see Reconciler.Check). Fixed, whatever the churn: the events carry the
// churn, so a check costs one dump of the table and does not grow with
// connections per second. It bounds how late what no event tells shows up
// (sockets bound but never connected, handshakes in progress, a missed
// event), against the check's cost, which dominates an idle watch: on the
// shared 2-core VM a check of 20,000 sockets (the netlink dump, its /proc
// walk for owners, the reconcile) took about 70 ms of CPU, 1.4% of a core
// every 5 s, past the 1% an idle watch aims at; every 10 s it is 0.7%.
const CheckEvery = 10 * time.Second

// eventTable reports whether this tick may go without a full sample (see
// eventCapable) and the source's transitions are complete now.
func (p *Poller) eventTable() bool {
	return p.eventCapable() && p.caps.table.CompleteTransitions()
}

// eventCapable reports whether the table may be kept by events: the
// source's transitions can be complete (sampler.EventTable) and are
// streaming, a full sample has based the table, none is asked for (a
// changed query, the audit's start), and the query leaves states alone (a
// state filter makes sockets leave the dump as they change state, which
// events do not follow).
func (p *Poller) eventCapable() bool {
	if p.caps.table == nil || !p.kernel.streaming() || !p.rec.Sampled() || !p.lastOK || p.needFull {
		return false
	}
	p.queryMu.Lock()
	changed, q := p.queryChanged, p.query
	p.queryMu.Unlock()
	return !changed && q.States == 0
}

// step takes the tick's sample: a full one, or with an event-kept table
// a check every CheckEvery and a UDP-only one otherwise. Once the source's
// transitions are no longer complete (the kernel dropped records) a check
// begins at once, whose differences are not counted (they are the records
// lost): its sample re-bases the table, and the source says complete
// again. While a check's dump runs (in a goroutine of its own, see
// startCheck) the source is asked for nothing: the tick only publishes
// what events did.
func (p *Poller) step(ctx context.Context) {
	if p.checkDone != nil {
		p.eventTick(ctx, false)
		return
	}
	if !p.eventCapable() {
		p.sample(ctx)
		return
	}
	if p.cfg.Interval <= 0 {
		p.interval = MinAdaptiveInterval
		if p.background.Load() {
			p.interval = BackgroundInterval
		}
	}
	switch {
	case !p.caps.table.CompleteTransitions():
		p.startCheck(ctx, false)
	case p.checkDue(p.now()):
		p.startCheck(ctx, true)
	default:
		p.eventTick(ctx, true)
	}
}

// checkDue reports whether the periodic check is due at now: CheckEvery
// after the last. For a paced consumer it waits, up to one pace, while a
// table built for it is out beside the one it shows (until it hands that
// back, as it takes the new one): the check's dump makes a whole table,
// and begun then it was the third alive (BIG=1, the live view's peak: the
// table shown, the next take's, the check's). Begun once the consumer
// handed one back, the tick's kept table is let go (recycleFree) and two
// are alive.
func (p *Poller) checkDue(now time.Time) bool {
	late := now.Sub(p.lastCheck) - CheckEvery
	switch {
	case late < 0:
		return false
	case !p.paced() || late >= time.Duration(p.takenEvery.Load()):
		return true
	}
	return p.refs.heldTables() <= 1
}

// eventTick moves the event-kept table on: a UDP-only sample (where the
// query asks for UDP), the TIME_WAIT timers, and the table published when
// anything changed (see Reconciler.Tick). Nothing is published when
// nothing changed.
func (p *Poller) eventTick(ctx context.Context, sampleUDP bool) {
	p.drainReleases()
	p.drainTransitions()
	start := time.Now()
	now := p.now()
	p.tickGap, p.lastTick = now.Sub(p.lastTick), now
	build, paced := p.tableDue(now), p.paced()
	buf := p.popReserve(paced)
	if sampleUDP && !paced {
		p.recycleFree() // a paced consumer's are kept for its next table
	}
	// The range is not read here: a tick's events are mostly the
	// transitions reconciled since the last one, judged by the range the
	// poller follows every EphemeralCheckEvery (and at each check), and
	// reading its /proc file at every tick was 7% of an idle watch.
	var udp *sampler.Snapshot
	if sampleUDP && p.wantUDP() && !p.udpHeldStill() {
		p.udpReleased = false
		p.narrowToUDP()
		snap, err := p.cfg.Source.Sample(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			p.lastSampled, p.lastOK = now, false
			p.pending.add(p.update(update{sampled: true, err: err, cost: time.Since(start), interval: p.interval}))
			return
		}
		udp = &snap
	}
	old := p.rec.Base()
	p.rec.SetTablesAsBase(paced)
	events, table, changed := p.rec.Tick(p.now(), udp, buf, build)
	if udp != nil && p.caps.recycler != nil {
		p.caps.recycler.Recycle(udp.Sockets) // its rows were copied into the table, or dropped
	}
	cost := time.Since(start)
	if sampleUDP {
		p.lastSampled, p.lastOK = now, true
	}
	if !changed && buf != nil {
		p.keepFree(buf, paced)
	}
	if !changed && len(events) == 0 && len(p.failures) == 0 {
		return
	}
	u := update{events: events, sampled: sampleUDP, cost: cost, interval: p.interval}
	if changed {
		u.snapshot = &table
		p.published(now)
		p.tickTables++
	}
	if base := p.rec.Base(); bufKey(base.Sockets) != bufKey(old.Sockets) { // re-based
		p.refs.hold(base.Sockets)
		p.refs.markOwn(base.Sockets) // only Tick's table re-bases here
		p.refs.drop(old.Sockets)
	}
	p.pending.add(p.update(u))
}

// tableDue reports whether this tick may build and publish the table (when
// it changed): never with NoTableTicks; every Config.TableEvery for a
// consumer that takes batches as they come; for one that takes them less
// often (SetTakenEvery: the live view on a big table), once per batch it
// takes, a little before its next take is due (tableLead), so that the
// table a batch carries is fresh and no table is copied that is never
// read. The consumer holds the table of its last batch until it takes the
// next, and the base is that table (SetTablesAsBase): with one table built
// per take, two tables are alive, not three. A consumer late by a whole
// pace gets a table then all the same, at most one per pace; one that
// took a table a pace old (a check's, published as its dump began) gets
// its next for its next take, not at once: built as it took that one, it
// was a table made in no free memory (the one shown before was not back
// yet), then replaced unread by the one built for the next take. None is
// built for it while a check's dump runs: the check publishes a whole
// table as it ends, and one built meanwhile would be a third whole table
// alive beside the one shown and the check's (and replaced unread, or
// read for a moment) at the live view's peak.
func (p *Poller) tableDue(now time.Time) bool {
	if p.cfg.TableEvery < 0 {
		return false
	}
	if n := p.pending.takenCount(); n != p.takesSeen {
		p.takesSeen, p.lastTake, p.tableTaken = n, now, true
	}
	every := time.Duration(p.takenEvery.Load())
	if !p.paced() {
		return now.Sub(p.lastTable) >= p.cfg.TableEvery
	}
	if p.checkDone != nil {
		return false // a check's dump runs: its table comes next
	}
	if p.tableTaken {
		return now.Sub(p.lastTake) >= every-p.tableLead()
	}
	return now.Sub(p.lastTable) >= every
}

// paced reports whether the consumer takes batches less often than the
// table would be published for it (see tableDue).
func (p *Poller) paced() bool {
	every := time.Duration(p.takenEvery.Load())
	return every > 0 && every > p.cfg.TableEvery
}

// tableLead is how long before the consumer's next take is due a table is
// built for it: two ticks (the take is seen up to a tick late; a tick as
// long as the last was, by the poller's clock), at most half the pace.
func (p *Poller) tableLead() time.Duration {
	return min(2*max(p.tickGap, p.interval), time.Duration(p.takenEvery.Load())/2)
}

// published records a table published at now: its consumer has not taken
// it yet.
func (p *Poller) published(now time.Time) {
	p.lastTable, p.tableTaken = now, false
}

// SetTakenEvery tells the poller how often its consumer takes batches now
// (the live view waits longer between batches on a big table); 0: as they
// come. An event-kept table is then built once per batch taken, just
// before the next take is due (see tableDue); events go out as they come.
// It never blocks: the view calls it from its Update.
func (p *Poller) SetTakenEvery(d time.Duration) {
	p.takenEvery.Store(int64(max(d, 0)))
}

// checkResult is a check's sample, from its goroutine.
type checkResult struct {
	snap     sampler.Snapshot
	filtered bool // the rows the table holds as they are left out (see BeginKept)
	// lent is the base its filter reads, held until the check ends (a
	// buffer let go is filled again); nil without a filter.
	lent  []sampler.Socket
	err   error
	start time.Time // when its dump began (wall clock, for its cost)
}

// startCheck begins a full sample to check the event-kept table (see
// Reconciler.Check) in a goroutine of its own: a dump of a big table takes
// long on a busy machine, and the kernel's events must keep flowing to the
// reconciler meanwhile (a stalled reader makes the kernel drop them). Run
// hands its result to finishCheck. counted: its differences are
// disagreements (see Reconciler.BeginCheck).
func (p *Poller) startCheck(ctx context.Context, counted bool) {
	p.drainReleases()
	p.drainTransitions()
	p.restoreQuery()
	p.recycleFree()
	p.lastSampled, p.lastOK = p.now(), false
	p.ephemeral.check(p.lastSampled)
	// A consumer that reads no table between checks is handed none by a
	// check whose source filters its dump: the check's rows that differ
	// are taken into the base, and no second whole table is made.
	var keep func(*sampler.Socket) bool
	var lent []sampler.Socket
	if p.caps.filter != nil && p.cfg.TableEvery < 0 {
		if keep = p.rec.BeginKept(counted); keep != nil {
			lent = p.rec.Base().Sockets
			p.refs.hold(lent)
		}
	} else {
		p.rec.BeginCheck(counted)
	}
	done := make(chan checkResult, 1)
	p.checkDone = done
	src, filter := p.cfg.Source, p.caps.filter
	go func() {
		res := checkResult{start: time.Now(), lent: lent}
		if keep != nil {
			res.snap, res.filtered, res.err = filter.SampleKept(ctx, keep)
		} else {
			res.snap, res.err = src.Sample(ctx)
		}
		done <- res
	}()
}

// finishCheck reconciles a check's sample and publishes it as a sample.
func (p *Poller) finishCheck(ctx context.Context, res checkResult) {
	p.checkDone = nil
	defer p.refs.drop(res.lent)
	next, err := res.snap, res.err
	if err != nil {
		p.rec.AbortCheck()
		if ctx.Err() != nil {
			return
		}
		p.pending.add(p.update(update{sampled: true, err: err, cost: time.Since(res.start), interval: p.interval}))
		return
	}
	// What the kernel did while the dump ran: its sockets keep the
	// table's rows.
	p.drainReleases()
	p.drainTransitions()
	start := res.start
	old := p.rec.Base()
	read := p.readCounters(false)
	if res.filtered {
		p.finishKept(res, old, read)
		return
	}
	events := p.rec.Check(p.now(), &next, read)
	cost := time.Since(start)
	p.lastOK, p.lastCheck = true, p.lastSampled
	p.published(p.lastSampled)
	p.refs.hold(next.Sockets)
	p.refs.drop(old.Sockets)
	p.readSourceNotes()
	p.pending.add(p.update(update{snapshot: &next, events: events, sampled: true, cost: cost, interval: p.interval}))
}

// udpHeldStill reports whether a tick may skip its UDP-only sample: the
// source says its UDP sockets are as many as its last sample that held
// them found (udpQuietSource), and no UDP release came since that sample
// began (a close and a bind would keep the count). Checks sample UDP in
// full as ever.
func (p *Poller) udpHeldStill() bool {
	return p.caps.udpQuiet != nil && !p.udpReleased && p.caps.udpQuiet.UDPQuiet()
}

// wantUDP reports whether the query asks for UDP sockets.
func (p *Poller) wantUDP() bool {
	q := &p.sourceQuery
	return len(q.Protos) == 0 || slices.Contains(q.Protos, sampler.UDP)
}

// narrowToUDP asks the source for the UDP sockets alone, within the
// query: its protocols and ports as they are (a source keeps its release
// reports to those, and they must not change), and the one "state" UDP
// sockets are in, which leaves TCP out of the dump. A source that cannot be
// asked gives its whole table, of which Tick keeps the UDP rows.
func (p *Poller) narrowToUDP() {
	if p.udpOnly || p.caps.query == nil {
		return
	}
	q := p.sourceQuery
	q.States = sampler.MaskOf(sampler.StateNone)
	p.caps.query.SetQuery(q)
	p.udpOnly = true
}

// restoreQuery gives the source back the query it was asked for, before a
// full sample.
func (p *Poller) restoreQuery() {
	if !p.udpOnly {
		return
	}
	p.caps.query.SetQuery(p.sourceQuery)
	p.udpOnly = false
}

// disagreementNotes are the header's lines on disagreements.
func (p *Poller) disagreementNotes(notes []string) []string {
	if n := p.rec.Disagreements(); n > 0 {
		notes = append(notes, fmt.Sprintf("%d kernel %s disagreed with the table: the table's state kept", n, plural(n, "transition")))
	}
	if n := p.rec.CheckDisagreements(); n > 0 {
		notes = append(notes, fmt.Sprintf("%d %s between the kernel's events and a check of its table: the check's taken", n, plural(n, "difference")))
	}
	return notes
}

// awaitCheck waits, as Run returns, for a check's dump still in flight
// (its context is done): the source is the caller's to close after Run.
func (p *Poller) awaitCheck() {
	if p.checkDone != nil {
		<-p.checkDone
		p.checkDone = nil
	}
}
