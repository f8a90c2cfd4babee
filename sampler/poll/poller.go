package poll

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// Config sets up a Poller.
type Config struct {
	Source sampler.Source
	// Interval > 0 is a fixed interval, honoured as given; 0 adapts between
	// MinAdaptiveInterval and MaxAdaptiveInterval to the cost of a sample.
	// A QuietSource may have ticks skipped while nothing changes.
	Interval time.Duration
	// MaxEvents caps the events waiting for the consumer; 0 means 100_000.
	// Past it the oldest are dropped and counted in Batch.Dropped.
	MaxEvents int
	// Now is the clock, for tests; nil means time.Now.
	Now func() time.Time
	// Notes are header lines from whoever built the poller (a fallback taken).
	Notes []string
	// FirstSeen, when set, gives the Since of sockets another sampling of
	// the machine already knew: the first sample's sockets keep those times
	// (see FirstSeen). Read only for the first successful sample.
	FirstSeen sampler.FirstSeen
	// TableEvery, with a source that keeps the table by its events
	// (sampler.EventTable), is how often at most a changed table is
	// published: events go out as they come, but a consumer that reads
	// the table rarely (watch: for its stats lines) spares the poller a
	// copy of the whole table at every tick. 0: at every tick. Negative
	// (NoTableTicks): never between full samples and checks, for a
	// consumer that does not read the table after the first batch
	// (watch without stats lines): the batches carry the last check's.
	TableEvery time.Duration
	// Ephemeral, when set, reads the OS ephemeral range (see
	// ports.EphemeralRereader): read at the start, before every sample and
	// at least every EphemeralCheckEvery, carried in Batch.Ephemeral.
	Ephemeral func() (ports.Range, error)
	// ExistingInParts > 0 hands the first sample's opens (Existing: one
	// for every socket on the machine, 24 MB of events at 100k sockets)
	// out at most this many a batch, made from the table as Next takes
	// them, rather than all in the first batch; the batches before the
	// last part say ExistingToCome, and every later event waits behind
	// them (existing.go). For a consumer that writes events out as they
	// come (watch); 0: all in the first batch.
	ExistingInParts int
}

// ExistingPart is the Config.ExistingInParts watch uses: about 2 MB of
// events a batch, a part the consumer hands back (RecycleEvents) and
// the next fills.
const ExistingPart = 8192

// NoTableTicks is Config.TableEvery for a consumer that does not read the
// table after the first batch: ticks of an event-kept table publish none.
const NoTableTicks time.Duration = -1

// DefaultMaxEvents is the cap on undelivered events when none is given.
const DefaultMaxEvents = 100_000

// releaseBuffer is how many releases may wait for the poller's goroutine.
const releaseBuffer = 4096

// Poller is the driver around a Reconciler: it samples a Source on a timer
// (or when poked), hears its releases, tells it a changed query, tunes the
// interval, follows the ephemeral range, and hands each step's events to one
// consumer through Next, merged into one batch while the consumer is busy.
// All tracking lives in the Reconciler; the Poller only decides when a step
// happens and delivers it. Run it with `go p.Run(ctx)`.
type Poller struct {
	cfg     Config
	caps    caps
	now     func() time.Time
	pending *pending
	refs    *snapRefs
	running atomic.Bool
	poke    chan struct{}
	// background: another poller serves the view, so this one's adaptive
	// interval follows backgroundInterval (see SetBackground).
	background atomic.Bool
	// takenEvery is how often the consumer takes batches (see
	// SetTakenEvery), in nanoseconds; 0: as often as they come.
	takenEvery atomic.Int64

	queryMu      sync.Mutex
	query        sampler.Query
	queryChanged bool

	// Owned by Run's goroutine.
	rec             *Reconciler
	releases        <-chan sampler.Release // from the source's watcher; nil without one
	interval        time.Duration
	watchNote       string
	sourceNotes     []string
	netnsRanges     []sampler.NetnsRange // other namespaces' ranges (sampler.NetnsRanger)
	ownersHidden    bool
	releaseBatch    []sampler.Event
	lastSampled     time.Time // when the last sample began
	lastOK          bool      // and it succeeded
	wasBackground   bool      // the last tune was in the background
	ephemeral       ephemeralWatch
	failures        []sampler.FailureCount // failed hand-outs not yet published
	kernel          kernelStream           // the source's transitions and failures; zero without
	transitionBatch []sampler.Event
	one             [1]sampler.Transition // handleTransition's
	// An event-kept table (eventmode.go): when it was last checked, a
	// full sample asked for, the query the source was given, and whether
	// it is narrowed to UDP now.
	lastCheck   time.Time
	needFull    bool
	sourceQuery sampler.Query
	udpOnly     bool
	lastTable   time.Time // when a tick last published the table
	// The consumer's takes, as seen at ticks (see tableDue): how many,
	// when the last was seen, and whether the table published last was
	// taken.
	takesSeen   uint64
	lastTake    time.Time
	tableTaken  bool
	lastTick    time.Time          // when the last tick of an event-kept table ran
	tickGap     time.Duration      // since the one before it
	tickTables  int                // tables ticks built (read by tests once Run returned)
	udpReleased bool               // a UDP release came since the last UDP sample began
	checkDone   <-chan checkResult // a check's dump in flight; nil when none
}

// New makes a poller; nothing runs until Run.
func New(cfg Config) *Poller {
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = DefaultMaxEvents
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	name := ""
	if cfg.Source != nil {
		name = cfg.Source.Name()
	}
	refs := newSnapRefs()
	firstSeen := cfg.FirstSeen
	cfg.FirstSeen = sampler.FirstSeen{} // the reconciler lets it go after the first sample
	rec := NewReconciler(firstSeen)
	rec.existingLater = cfg.ExistingInParts > 0
	return &Poller{
		cfg:      cfg,
		caps:     capsOf(cfg.Source),
		rec:      rec,
		now:      now,
		refs:     refs,
		pending:  newPending(cfg.MaxEvents, name, refs),
		poke:     make(chan struct{}, 1),
		interval: cfg.Interval,
	}
}

// SetQuery narrows what the source is asked for, from the next sample on
// (call Poke to have it now). It is passed on only to a Queryable source.
// Safe from any goroutine.
func (p *Poller) SetQuery(q sampler.Query) {
	p.queryMu.Lock()
	p.query, p.queryChanged = q, true
	p.queryMu.Unlock()
}

// Poke asks for a sample now rather than at the next tick. Safe from any
// goroutine; pokes before the sample is taken count once.
func (p *Poller) Poke() {
	select {
	case p.poke <- struct{}{}:
	default:
	}
}

// Run samples until ctx ends, in the caller's goroutine, and then returns nil.
// A failing sample does not stop it: the error goes out in Batch.Err and the
// poller tries again at the next tick.
func (p *Poller) Run(ctx context.Context) error {
	if p.cfg.Source == nil {
		return errors.New("poller: no source")
	}
	if !p.running.CompareAndSwap(false, true) {
		return errors.New("poller: already running")
	}
	defer p.running.Store(false)

	releases, watchErr := p.watch(ctx)
	p.releases = releases
	p.kernel = p.watchKernel(ctx)
	ephemeralTick, stopEphemeral := p.followEphemeral()
	defer stopEphemeral()
	if p.interval <= 0 {
		p.interval = MinAdaptiveInterval
	}
	p.sample(ctx)
	p.lastCheck = p.lastSampled
	timer := time.NewTimer(p.interval)
	defer timer.Stop()
	defer p.awaitCheck()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
			if p.checkDone == nil && !p.eventTable() && p.skipQuiet() {
				timer.Reset(p.interval)
				continue
			}
		case <-p.poke:
			timer.Stop()
		case r := <-releases:
			p.handleReleases(r, releases)
			continue
		case f := <-p.kernel.failures:
			p.handleFailures(f, p.kernel.failures)
			continue
		case t := <-p.kernel.transitions:
			p.handleTransition(t)
			continue
		case b := <-p.kernel.batches:
			p.handleBatch(b)
			continue
		case err := <-p.kernel.errs:
			p.kernel = kernelStream{}
			p.watchNote = fmt.Sprintf("kernel events unavailable (%v): failed connects not counted", err)
			p.pending.add(p.update(update{}))
			continue
		case <-ephemeralTick:
			p.checkEphemeral()
			continue
		case res := <-p.checkDone:
			p.finishCheck(ctx, res)
			continue
		case err := <-watchErr:
			watchErr = nil
			p.watchNote = fmt.Sprintf("release events unavailable (%v): relying on polling", err)
			p.pending.add(p.update(update{}))
			continue
		}
		p.step(ctx)
		timer.Reset(p.interval)
	}
}

// watch starts the source's release watcher, if it has one.
func (p *Poller) watch(ctx context.Context) (<-chan sampler.Release, <-chan error) {
	w := p.caps.watcher
	if w == nil {
		return nil, nil
	}
	releases := make(chan sampler.Release, releaseBuffer)
	errs := make(chan error, 1)
	go func() {
		if err := w.WatchReleases(ctx, releases); err != nil && ctx.Err() == nil {
			errs <- err
		}
	}()
	return releases, errs
}

// sample takes one sample, diffs it and publishes the result.
func (p *Poller) sample(ctx context.Context) {
	p.drainReleases()
	p.drainTransitions()
	p.restoreQuery()
	p.applyQuery()
	p.recycleFree()
	start := time.Now()
	p.lastSampled, p.lastOK = p.now(), false
	p.ephemeral.check(p.lastSampled) // so this sample's events are judged by the range now
	next, err := p.cfg.Source.Sample(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return // stopping: not the source's fault
		}
		cost := time.Since(start)
		p.tune(cost)
		p.pending.add(p.update(update{sampled: true, err: err, cost: cost, interval: p.interval}))
		return
	}
	old, first := p.rec.Base(), !p.rec.Sampled()
	read := p.readCounters(first)
	events := p.rec.Sample(p.now(), &next, read)
	cost := time.Since(start)
	p.lastOK, p.needFull, p.lastCheck = true, false, p.lastSampled
	p.published(p.lastSampled)
	p.refs.hold(next.Sockets)
	p.refs.drop(old.Sockets)
	p.readSourceNotes()
	p.tune(cost)
	u := update{snapshot: &next, events: events, sampled: true, cost: cost, interval: p.interval}
	if first && p.rec.existingDeferred {
		u.existing = newExistingOpens(next, p.cfg.ExistingInParts)
	}
	p.pending.add(p.update(u))
	if first && p.caps.counters != nil && read.End == nil {
		p.needFull = true // the audit starts from the next sample's reading: take it now
		p.Poke()
	}
}

// update completes u with what every published step carries.
func (p *Poller) update(u update) update {
	notes := make([]string, 0, len(p.cfg.Notes)+len(p.sourceNotes)+1)
	notes = append(notes, p.cfg.Notes...)
	if p.watchNote != "" {
		notes = append(notes, p.watchNote)
	}
	u.notes = append(notes, p.sourceNotes...)
	if n := p.ephemeral.noteAt(p.now()); n != "" {
		u.notes = append(u.notes, n)
	}
	u.ephemeral = p.ephemeral.cur
	u.netnsRanges = p.netnsRanges
	u.ownersHidden = p.ownersHidden
	u.audit = p.rec.Audit()
	if u.sampled {
		u.failures, p.failures = p.failures, nil
	}
	u.notes = p.disagreementNotes(u.notes)
	u.disagreements = p.rec.Disagreements() + p.rec.CheckDisagreements()
	return u
}

func (p *Poller) tune(cost time.Duration) {
	if p.cfg.Interval <= 0 {
		if p.background.Load() {
			p.interval = backgroundInterval(cost)
			p.wasBackground = true
			return
		}
		if p.wasBackground { // back in front: start afresh, not half-way from the background's pace
			p.wasBackground = false
			p.interval = adaptInterval(0, cost)
			return
		}
		p.interval = adaptInterval(p.interval, cost)
	}
}

func (p *Poller) readSourceNotes() {
	p.sourceNotes = p.sourceNotes[:0:0]
	p.ownersHidden = false
	if o := p.caps.owners; o != nil {
		if hidden, hint := o.OwnersHidden(); hidden {
			p.ownersHidden = true
			p.sourceNotes = append(p.sourceNotes, "owners hidden: "+hint)
		}
	}
	if n := p.caps.noter; n != nil {
		p.sourceNotes = append(p.sourceNotes, n.Notes()...)
	}
	if r := p.caps.ranger; r != nil {
		p.netnsRanges = r.NetnsRanges()
	}
}

// readCounters reads the kernel's open counters with every sample, as the
// source read them when the sample began (see sampler.CounterReader), so
// the header's comparison is exact rather than a second stale; with the
// first, also as its dump ended where the source can (see
// sampler.AuditStartReader). A failed read is nil: the reconciler
// then keeps the last one.
func (p *Poller) readCounters(first bool) Reading {
	var read Reading
	if p.caps.counters != nil {
		if c, err := p.caps.counters.KernelCounters(); err == nil {
			read.Start = &c
		}
	}
	if first && p.caps.auditStart != nil {
		if c, err := p.caps.auditStart.KernelCountersAtFirstDumpEnd(); err == nil {
			read.End = &c
		}
	}
	return read
}

func plural(n uint64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
