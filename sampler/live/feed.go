package live

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Poller is what Feed needs of a focused poller.
type Poller interface {
	// Run samples until ctx ends.
	Run(ctx context.Context) error
	// Next waits for the next batch.
	Next(ctx context.Context) (sampler.Batch, error)
	// SetQuery narrows what its source is asked for.
	SetQuery(sampler.Query)
}

// Config is what Feed runs on.
type Config struct {
	// Wide is the machine-wide poller, already running; never narrowed.
	// When it is a sampler.Recycler, Feed's Recycle hands snapshots back
	// to it.
	Wide sampler.Feed
	// Background, when set, is told whether a focus serves the view: the
	// machine-wide poller then steps back to a sample a second.
	Background func(bool)
	// TakenEvery, when set, is told how often the view takes batches (see
	// Feed.SetTakenEvery): the machine-wide poller's SetTakenEvery.
	TakenEvery func(time.Duration)
	// Open opens a source of its own for each focus.
	Open func() (sampler.Source, error)
	// NewPoller makes a focused poller over src sampling every interval,
	// its first sample keeping the first-seen times of known (see Known).
	NewPoller func(src sampler.Source, interval time.Duration, q sampler.Query, known Known) Poller
	Interval  time.Duration
}

// Feed is the live view's feed: it runs a Merger over the machine-wide
// poller and, while the view's filter narrows, a focused poller it starts
// and stops itself. The merge happens in Next, on the view's command
// goroutine, as the view takes each batch. A small goroutine per poller
// calls its Next when Next asks for a batch, not before, so a poller goes
// on merging its samples into one batch while the view is busy, as when
// the view called it directly.
type Feed struct {
	ctx context.Context // the view's: every run ends with it
	cfg Config

	next    sync.Mutex // held by Next: one step at a time; guards the fields below
	merger  Merger
	pending []Batch // steps for the view not yet taken
	wideIn  chan wideItem
	focusIn chan focusItem
	// wide and focus ask the pollers' goroutines for their next batch; a
	// new focus gets a new focus channel.
	wide, focus chan struct{}
	wideAsked   bool
	focusAsked  bool
	focusGen    uint64 // of the run focus asks

	// The query mailbox: the newest filter the view set, not yet merged.
	qmu    sync.Mutex
	query  sampler.Query
	queued bool
	wake   chan struct{}

	runMu  sync.Mutex
	cancel context.CancelFunc // the current run's; nil when none
	gen    uint64             // the current run's
	closed bool               // Wait has begun: no new runs
	wg     sync.WaitGroup
}

type wideItem struct {
	b   sampler.Batch
	err error
}

type focusItem struct {
	gen uint64
	b   sampler.Batch
}

// NewFeed starts handing over the machine-wide poller's batches until ctx
// ends; call Wait once it has.
func NewFeed(ctx context.Context, cfg Config) *Feed {
	if cfg.Background == nil {
		cfg.Background = func(bool) {}
	}
	f := &Feed{ctx: ctx, cfg: cfg, wideIn: make(chan wideItem), focusIn: make(chan focusItem), wake: make(chan struct{}, 1),
		wide: make(chan struct{}, 1)}
	f.wg.Add(1)
	go f.pumpWide()
	return f
}

// SetQuery leaves the view's filter, as the query it asks of a source, for
// the feed's next step: a new focus, or none when q does not narrow. It
// never blocks: the view calls it from Update.
func (f *Feed) SetQuery(q sampler.Query) {
	f.qmu.Lock()
	f.query, f.queued = q, true
	f.qmu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *Feed) takeQuery() (sampler.Query, bool) {
	f.qmu.Lock()
	defer f.qmu.Unlock()
	q, ok := f.query, f.queued
	f.queued = false
	return q, ok
}

// Next waits for the view's next batch: a machine-wide one, a focused one
// or the end of a focus.
func (f *Feed) Next(ctx context.Context) (Batch, error) {
	f.next.Lock()
	defer f.next.Unlock()
	for {
		// The view's context ended: nothing more, not even a batch a last
		// refocus queued (the select below may not be reached).
		if err := f.ctx.Err(); err != nil {
			return Batch{}, err
		}
		if len(f.pending) > 0 {
			b := f.pending[0]
			f.pending = f.pending[1:]
			return b, nil
		}
		if q, ok := f.takeQuery(); ok {
			f.refocus(q)
			continue
		}
		if !f.wideAsked {
			f.wideAsked = true
			f.wide <- struct{}{}
		}
		if f.focus != nil && !f.focusAsked {
			f.focusAsked = true
			f.focus <- struct{}{}
		}
		select {
		case <-f.wake:
		case w := <-f.wideIn:
			f.wideAsked = false
			if w.err != nil {
				return Batch{}, w.err
			}
			return f.merger.Wide(w.b), nil
		case fi := <-f.focusIn:
			if fi.gen == f.focusGen {
				f.focusAsked = false
			}
			if b, ok := f.merger.Focused(fi.gen, fi.b); ok {
				return b, nil
			}
		case <-ctx.Done():
			return Batch{}, ctx.Err()
		case <-f.ctx.Done():
			return Batch{}, f.ctx.Err()
		}
	}
}

// refocus merges a new filter and starts the focus it asks for; f.next is
// held.
func (f *Feed) refocus(q sampler.Query) {
	out, ask := f.merger.Refocus(q)
	if !out.empty() {
		f.pending = append(f.pending, out)
	}
	if ask.Gen == 0 {
		return
	}
	f.focus, f.focusAsked, f.focusGen = nil, false, 0
	if err := f.start(ask); err != nil {
		if b, ok := f.merger.Focused(ask.Gen, sampler.Batch{Err: err}); ok {
			f.pending = append(f.pending, b)
		}
	}
}

// start stops the current run and, when ask narrows, starts one for it. A
// source that cannot narrow in the kernel (gopsutil) would only sample the
// whole table twice, so none is started for it.
func (f *Feed) start(ask Ask) error {
	f.runMu.Lock()
	defer f.runMu.Unlock()
	if f.closed {
		return nil // the view has ended
	}
	f.stopLocked()
	if !ask.Narrows() || f.ctx.Err() != nil || f.cfg.Open == nil || f.cfg.NewPoller == nil {
		return nil
	}
	src, err := f.cfg.Open()
	if err != nil {
		return err
	}
	if _, ok := src.(sampler.Queryable); !ok {
		closeSource(src)
		return nil
	}
	ctx, cancel := context.WithCancel(f.ctx)
	f.cancel, f.gen = cancel, ask.Gen
	f.cfg.Background(true)
	p := f.cfg.NewPoller(src, f.cfg.Interval, ask.Query, ask.Known)
	p.SetQuery(ask.Query)
	f.focus, f.focusGen = make(chan struct{}, 1), ask.Gen
	f.wg.Add(2)
	go func() {
		defer f.wg.Done()
		_ = p.Run(ctx)
		closeSource(src)
	}()
	go f.pumpFocus(ctx, ask.Gen, p, f.focus)
	return nil
}

// asked waits until Next asks for a batch, and reports false when ctx
// ends first.
func asked(ctx context.Context, ask <-chan struct{}) bool {
	select {
	case <-ask:
		return true
	case <-ctx.Done():
		return false
	}
}

// pumpWide hands the machine-wide poller's batches to Next, each when
// asked for.
func (f *Feed) pumpWide() {
	defer f.wg.Done()
	for asked(f.ctx, f.wide) {
		b, err := f.cfg.Wide.Next(f.ctx)
		select {
		case f.wideIn <- wideItem{b, err}:
		case <-f.ctx.Done():
			return
		}
	}
}

// pumpFocus hands the batches of focus gen to Next, each when asked for,
// until its run stops.
func (f *Feed) pumpFocus(ctx context.Context, gen uint64, p Poller, ask <-chan struct{}) {
	defer f.wg.Done()
	for asked(ctx, ask) {
		b, err := p.Next(ctx)
		if err != nil {
			return
		}
		select {
		case f.focusIn <- focusItem{gen, b}:
		case <-ctx.Done():
			return
		}
		if b.Err != nil { // the view gives this focus up: so does the feed
			f.stop(gen)
			return
		}
	}
}

// stop ends the run of focus gen, if it is still the current one.
func (f *Feed) stop(gen uint64) {
	f.runMu.Lock()
	defer f.runMu.Unlock()
	if gen == f.gen {
		f.stopLocked()
	}
}

// stopLocked ends the current run, if any; f.runMu is held.
func (f *Feed) stopLocked() {
	if f.cancel != nil {
		f.cancel()
		f.cancel = nil
		f.cfg.Background(false)
	}
}

// SetTakenEvery tells the machine-wide poller how often the view takes
// batches now (0: as often as they come), so it copies its table no more
// often than that is read. It never blocks: the view calls it from Update.
func (f *Feed) SetTakenEvery(d time.Duration) {
	if f.cfg.TakenEvery != nil {
		f.cfg.TakenEvery(d)
	}
}

// Recycle hands a machine-wide snapshot back to the machine-wide poller
// (see sampler.Recycler); focused snapshots are never reused.
func (f *Feed) Recycle(s sampler.Snapshot) {
	if r, ok := f.cfg.Wide.(sampler.Recycler); ok {
		r.Recycle(s)
	}
}

// RecycleEvents hands a machine-wide batch's events (its Wide.Events) back
// to the machine-wide poller (see sampler.EventRecycler); focused batches'
// are never reused.
func (f *Feed) RecycleEvents(events []sampler.Event) {
	if r, ok := f.cfg.Wide.(sampler.EventRecycler); ok {
		r.RecycleEvents(events)
	}
}

// Wait blocks until every goroutine of the feed has stopped; call it once
// the view's context has ended. No run starts after it is called.
func (f *Feed) Wait() {
	f.runMu.Lock()
	f.closed = true
	f.stopLocked()
	f.runMu.Unlock()
	f.wg.Wait()
}

func closeSource(src sampler.Source) {
	if c, ok := src.(io.Closer); ok {
		_ = c.Close()
	}
}
