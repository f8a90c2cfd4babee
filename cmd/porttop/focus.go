package main

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
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
	out      chan ui.FocusBatch

	mu      sync.Mutex
	cancel  context.CancelFunc // the current run's; nil when none
	lastGen uint64             // the newest focus asked for
	wg      sync.WaitGroup
}

var _ ui.FocusFeed = (*focusFeed)(nil)

func newFocusFeed(ctx context.Context, open func() (sampler.Source, error), interval time.Duration) *focusFeed {
	return &focusFeed{ctx: ctx, open: open, interval: interval, out: make(chan ui.FocusBatch)}
}

// Focus stops the current run and, when q narrows, starts one for q whose
// batches carry gen. A source that cannot narrow in the kernel (gopsutil)
// would only sample the whole table twice, so none is started for it.
func (f *focusFeed) Focus(gen uint64, q sampler.Query) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if gen < f.lastGen {
		return // the view's commands ran out of order: a newer focus is in place
	}
	f.lastGen = gen
	if f.cancel != nil {
		f.cancel()
		f.cancel = nil
	}
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
	p := sampler.NewPoller(sampler.PollerConfig{Source: src, Interval: f.interval})
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
		}
	}()
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
// has ended.
func (f *focusFeed) Wait() { f.wg.Wait() }

func closeSource(src sampler.Source) {
	if c, ok := src.(io.Closer); ok {
		_ = c.Close()
	}
}
