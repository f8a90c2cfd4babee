package main

import (
	"context"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/filter"
	"github.com/porttop/porttop/sampler/poll"
)

// startPoller samples in its own goroutine, off the UI's, until ctx ends,
// asking the source for q (when not nil) from the first sample on. The returned wait
// blocks until the goroutine has stopped, so a caller can cancel ctx and
// wait before the process exits.
func startPoller(ctx context.Context, cfg poll.Config, q *sampler.Query) (p *poll.Poller, wait func()) {
	p = poll.New(cfg)
	if q != nil {
		p.SetQuery(*q)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = p.Run(ctx)
	}()
	return p, func() { <-done }
}

// query is what a filter asks the source for; nil for no filter.
func query(f filter.Filter) *sampler.Query {
	if f.IsZero() {
		return nil
	}
	q := f.Query()
	return &q
}
