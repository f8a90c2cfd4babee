package poll

import (
	"context"

	"github.com/porttop/porttop/sampler"
)

// failureBuffer is how many failed hand-outs may wait for the poller's
// goroutine (the source's reader waits, and the kernel buffers, past it).
const failureBuffer = 1024

// kernelStream is what a TransitionWatcher source streams to the poller.
type kernelStream struct {
	transitions <-chan sampler.Transition
	failures    <-chan sampler.PortFailure
	errs        <-chan error
}

// watchKernel subscribes to the source's transitions and failed hand-outs,
// if it streams them.
func (p *Poller) watchKernel(ctx context.Context) kernelStream {
	w := p.caps.transitions
	if w == nil {
		return kernelStream{}
	}
	trans := make(chan sampler.Transition, releaseBuffer)
	failed := make(chan sampler.PortFailure, failureBuffer)
	errs := make(chan error, 1)
	go func() {
		if err := w.WatchTransitions(ctx, trans, failed); err != nil && ctx.Err() == nil {
			errs <- err
		}
	}()
	return kernelStream{transitions: trans, failures: failed, errs: errs}
}

// handleFailures counts f, and every failure queued behind it, into the
// interval's groups; they go out with the next published step.
func (p *Poller) handleFailures(f sampler.PortFailure, queue <-chan sampler.PortFailure) {
	p.failures = sampler.AddFailure(p.failures, f)
	for {
		select {
		case f := <-queue:
			p.failures = sampler.AddFailure(p.failures, f)
		default:
			return
		}
	}
}

// handleTransitions reconciles t, and every transition already queued
// behind it, and publishes their events without waiting for a sample.
func (p *Poller) handleTransitions(t sampler.Transition, queue <-chan sampler.Transition) {
	events := p.transitionBatch[:0]
	disagreed := p.rec.Disagreements()
	events = p.rec.Transition(p.now(), t, events)
	for more := true; more; {
		select {
		case t := <-queue:
			events = p.rec.Transition(p.now(), t, events)
		default:
			more = false
		}
	}
	if len(events) > 0 || p.rec.Disagreements() != disagreed {
		// Borrowed: this buffer is reused, pending copies what it keeps.
		p.pending.add(p.update(update{events: events, borrowed: true}))
	}
	p.transitionBatch = events[:0]
}

// drainTransitions reconciles the transitions queued before a sample.
func (p *Poller) drainTransitions() {
	select {
	case t := <-p.kernel.transitions:
		p.handleTransitions(t, p.kernel.transitions)
	default:
	}
}
