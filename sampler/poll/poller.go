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
	// Ephemeral, when set, reads the OS ephemeral range (see
	// ports.EphemeralRereader): read at the start, before every sample and
	// at least every EphemeralCheckEvery, carried in Batch.Ephemeral.
	Ephemeral func() (ports.Range, error)
}

// DefaultMaxEvents is the cap on undelivered events when none is given.
const DefaultMaxEvents = 100_000

// How long and how many released or closed IDs are remembered, to drop a
// released socket from samples taken just before its release and to ignore a
// release that arrives after a sample already reported the close.
const (
	recentGoneTTL   = 5 * time.Second
	recentGoneLimit = 65_536
	releaseBuffer   = 4096
)

// Poller samples a Source, diffs successive samples and hands the events to
// one consumer through Next. Run it with `go p.Run(ctx)`.
type Poller struct {
	cfg     Config
	now     func() time.Time
	pending *pending
	refs    *snapRefs
	running atomic.Bool
	poke    chan struct{}
	// background: another poller serves the view, so this one's adaptive
	// interval follows backgroundInterval (see SetBackground).
	background atomic.Bool

	queryMu      sync.Mutex
	query        sampler.Query
	queryChanged bool

	// Owned by Run's goroutine.
	differ              sampler.Differ
	base                sampler.Snapshot // the last good sample, diffed against
	baseIndex           baseIndex        // base by releaseKey, built on first use
	goneScratch         []bool
	adjust              map[sampler.ID]adjustment // changes releases made to base since it was sampled, by releaseKey
	twByAddr            map[sampler.ID]sampler.ID // adjust's TIME_WAIT sockets: addresses (an ID without cookie) to releaseKey
	recent              *recentGone               // by releaseKey
	vanished            vanished                  // closed by a sample, release still to come
	releases            <-chan sampler.Release    // from the source's watcher; nil without one
	firstSeen           sampler.FirstSeen         // for the first sample; emptied after it
	sampled             bool                      // a sample has succeeded: later opens are not Existing
	interval            time.Duration
	curQuery            sampler.Query  // what the source was last told
	queryFrom           *sampler.Query // the query of base, while a changed query awaits its first sample
	reported            uint64
	reportedTCP         uint64
	reportedTCPAtKernel uint64
	halfOpen            map[sampler.ID]struct{} // by releaseKey: handshakes in progress, not yet counted (see trackHandshakes)
	kernel              *sampler.KernelCounters
	watchNote           string
	sourceNotes         []string
	ownersHidden        bool
	prevScratch         []sampler.Socket
	releaseBatch        []sampler.Event
	lastSampled         time.Time // when the last sample began
	lastOK              bool      // and it succeeded
	wasBackground       bool      // the last tune was in the background
	ephemeral           ephemeralWatch
}

// adjustment is what a release did to a socket of base: removed it (gone) or
// put it in TIME_WAIT, or added a socket base never held that is in TIME_WAIT.
type adjustment struct {
	gone   bool
	socket sampler.Socket
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
	cfg.FirstSeen = sampler.FirstSeen{} // the poller lets it go after the first sample
	return &Poller{
		cfg:       cfg,
		firstSeen: firstSeen,
		now:       now,
		refs:      refs,
		pending:   newPending(cfg.MaxEvents, name, refs),
		poke:      make(chan struct{}, 1),
		adjust:    map[sampler.ID]adjustment{},
		twByAddr:  map[sampler.ID]sampler.ID{},
		halfOpen:  map[sampler.ID]struct{}{},
		recent:    newRecentGone(recentGoneTTL, recentGoneLimit),
		interval:  cfg.Interval,
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
	ephemeralTick, stopEphemeral := p.followEphemeral()
	defer stopEphemeral()
	if p.interval <= 0 {
		p.interval = MinAdaptiveInterval
	}
	p.sample(ctx)
	timer := time.NewTimer(p.interval)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
			if p.skipQuiet() {
				timer.Reset(p.interval)
				continue
			}
		case <-p.poke:
			timer.Stop()
		case r := <-releases:
			p.handleReleases(r, releases)
			continue
		case <-ephemeralTick:
			p.checkEphemeral()
			continue
		case err := <-watchErr:
			watchErr = nil
			p.watchNote = fmt.Sprintf("release events unavailable (%v): relying on polling", err)
			p.pending.add(p.update(update{}))
			continue
		}
		p.sample(ctx)
		timer.Reset(p.interval)
	}
}

// watch starts the source's release watcher, if it has one.
func (p *Poller) watch(ctx context.Context) (<-chan sampler.Release, <-chan error) {
	w, ok := p.cfg.Source.(sampler.ReleaseWatcher)
	if !ok {
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
	if next.Time.IsZero() {
		next.Time = p.now()
	}
	p.recent.expire(next.Time)
	events := p.differ.Diff(p.prevForDiff(), &next)
	events = p.dropReopened(events, &next)
	p.trackHandshakes(events)
	if !p.sampled {
		p.carryFirstSeen(events, &next)
	}
	cost := time.Since(start)

	if p.queryFrom != nil {
		events = reviewAfterQueryChange(events, p.queryFrom, &p.curQuery)
		p.queryFrom = nil
	}
	for i := range events {
		switch events[i].Kind {
		case sampler.Opened:
			if !p.sampled {
				events[i].Existing = true
			}
			if !events[i].Existing {
				p.countReported(&events[i].Socket)
			}
		case sampler.Closed:
			p.recent.add(releaseKey(events[i].Socket.ID), next.Time, false)
		}
	}
	p.vanished.add(events, next.Time)
	p.sampled, p.lastOK = true, true
	p.refs.hold(next.Sockets)
	p.refs.drop(p.base.Sockets)
	p.base = next
	p.baseIndex.built = false
	clear(p.adjust)
	clear(p.twByAddr)
	p.readSourceNotes()
	p.kernel = p.readCounters()
	p.reportedTCPAtKernel = p.reportedTCP // the counters are as of this sample's start, whose sockets are all counted now
	p.tune(cost)
	p.pending.add(p.update(update{snapshot: &next, events: events, sampled: true, cost: cost, interval: p.interval}))
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
	u.ownersHidden = p.ownersHidden
	u.kernel = p.kernel
	u.reported, u.reportedTCP, u.reportedTCPAtKernel = p.reported, p.reportedTCP, p.reportedTCPAtKernel
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
	if o, ok := p.cfg.Source.(sampler.Owners); ok {
		if hidden, hint := o.OwnersHidden(); hidden {
			p.ownersHidden = true
			p.sourceNotes = append(p.sourceNotes, "owners hidden: "+hint)
		}
	}
	if n, ok := p.cfg.Source.(sampler.Noter); ok {
		p.sourceNotes = append(p.sourceNotes, n.Notes()...)
	}
}

// readCounters takes the kernel's open counters with every sample, as the
// source read them when the sample began (see CounterReader), so the
// header's comparison is exact rather than a second stale. It returns the
// last reading when this one fails, nil when there has never been one.
func (p *Poller) readCounters() *sampler.KernelCounters {
	cr, ok := p.cfg.Source.(sampler.CounterReader)
	if !ok {
		return nil
	}
	if c, err := cr.KernelCounters(); err == nil {
		return &c
	}
	return p.kernel
}

// countReported counts one reported open, and apart the TCP connections the
// kernel's counters can vouch for.
func (p *Poller) countReported(s *sampler.Socket) {
	p.reported++
	if isTCPConnection(s) {
		p.reportedTCP++
	}
}
