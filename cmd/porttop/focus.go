package main

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/poll"
	"github.com/porttop/porttop/ui"
)

// focusFeed is the live view's filtered sampling (ui.FocusFeed): a poller of
// its own, over a source of its own that the kernel narrows to the filter,
// running while the view's filter narrows and stopped when it no longer
// does. The machine-wide poller goes on beside it for the header.
type focusFeed struct {
	ctx      context.Context // the view's: every run ends with it
	open     func() (sampler.Source, error)
	interval time.Duration
	// running is told whether a run serves the view: the machine-wide
	// poller then steps back to the background (nil: nobody to tell).
	running func(bool)
	out     chan ui.FocusBatch

	mu      sync.Mutex
	cancel  context.CancelFunc // the current run's; nil when none
	lastGen uint64             // the newest focus asked for
	closed  bool               // Wait has begun: no new runs
	wg      sync.WaitGroup
}

var (
	_ ui.FocusFeed      = (*focusFeed)(nil)
	_ ui.FirstSeenFocus = (*focusFeed)(nil)
)

func newFocusFeed(ctx context.Context, open func() (sampler.Source, error), interval time.Duration, running func(bool)) *focusFeed {
	if running == nil {
		running = func(bool) {}
	}
	return &focusFeed{ctx: ctx, open: open, interval: interval, running: running, out: make(chan ui.FocusBatch)}
}

// Focus stops the current run and, when q narrows, starts one for q whose
// batches carry gen. A source that cannot narrow in the kernel (gopsutil)
// would only sample the whole table twice, so none is started for it.
func (f *focusFeed) Focus(gen uint64, q sampler.Query) { f.FocusFrom(gen, q, sampler.FirstSeen{}) }

// FocusFrom is Focus whose run's first sample keeps the first-seen times
// in seen (see sampler.FirstSeen): what the view already knew of the
// sockets q covers.
func (f *focusFeed) FocusFrom(gen uint64, q sampler.Query, seen sampler.FirstSeen) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || gen < f.lastGen {
		return // the view has ended, or its commands ran out of order
	}
	f.lastGen = gen
	f.stopLocked()
	if !ui.Narrows(q) || f.ctx.Err() != nil {
		return
	}
	src, err := f.open()
	if err != nil {
		f.wg.Add(1)
		go func() { defer f.wg.Done(); f.send(f.ctx, ui.FocusBatch{Gen: gen, Batch: sampler.Batch{Err: err}}) }()
		return
	}
	if _, ok := src.(sampler.Queryable); !ok {
		closeSource(src)
		return
	}
	ctx, cancel := context.WithCancel(f.ctx)
	f.cancel = cancel
	f.running(true)
	p := poll.New(poll.Config{Source: src, Interval: f.interval, FirstSeen: seen})
	p.SetQuery(q)
	f.wg.Add(2)
	go func() {
		defer f.wg.Done()
		_ = p.Run(ctx)
		closeSource(src)
	}()
	go func() {
		defer f.wg.Done()
		for {
			b, err := p.Next(ctx)
			if err != nil || !f.send(ctx, ui.FocusBatch{Gen: gen, Batch: b}) {
				return
			}
			if b.Err != nil { // the view gives this focus up: so does the feed
				f.stop(gen)
				return
			}
		}
	}()
}

// stop ends the run of focus gen, if it is still the current one.
func (f *focusFeed) stop(gen uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if gen == f.lastGen {
		f.stopLocked()
	}
}

// stopLocked ends the current run, if any; f.mu is held.
func (f *focusFeed) stopLocked() {
	if f.cancel != nil {
		f.cancel()
		f.cancel = nil
		f.running(false)
	}
}

// send hands a batch to Next unless ctx ends first.
func (f *focusFeed) send(ctx context.Context, b ui.FocusBatch) bool {
	select {
	case f.out <- b:
		return true
	case <-ctx.Done():
		return false
	}
}

// Next waits for the next batch of any run; the view drops those of runs
// it no longer wants (by gen).
func (f *focusFeed) Next(ctx context.Context) (ui.FocusBatch, error) {
	select {
	case b := <-f.out:
		return b, nil
	case <-ctx.Done():
		return ui.FocusBatch{}, ctx.Err()
	}
}

// Wait blocks until every run has stopped; call it once the view's context
// has ended. No run starts after it is called.
func (f *focusFeed) Wait() {
	f.mu.Lock()
	f.closed = true
	f.stopLocked()
	f.mu.Unlock()
	f.wg.Wait()
}

func closeSource(src sampler.Source) {
	if c, ok := src.(io.Closer); ok {
		_ = c.Close()
	}
}
