package poll

import (
	"context"

	"github.com/porttop/porttop/sampler"
)

// failureBuffer is how many failed hand-outs may wait for the poller's
// goroutine (the source's reader waits, and the kernel buffers, past it).
const failureBuffer = 1024

// batchBuffer is how many batches of transitions may wait for the
// poller's goroutine (a batch is a burst the source read at once).
const batchBuffer = 256

// kernelStream is what a TransitionWatcher source streams to the poller:
// its transitions one by one, or in batches (sampler.BatchWatcher).
type kernelStream struct {
	transitions <-chan sampler.Transition
	batches     <-chan []sampler.Transition
	failures    <-chan sampler.PortFailure
	errs        <-chan error
	// recycle takes back a batch the poller is done with; nil: none
	// (sampler.BatchRecycler).
	recycle func([]sampler.Transition)
}

// streaming reports whether transitions stream.
func (k *kernelStream) streaming() bool { return k.transitions != nil || k.batches != nil }

// watchKernel subscribes to the source's transitions and failed hand-outs,
// if it streams them: in batches where it can.
func (p *Poller) watchKernel(ctx context.Context) kernelStream {
	w := p.caps.transitions
	if w == nil {
		return kernelStream{}
	}
	failed := make(chan sampler.PortFailure, failureBuffer)
	errs := make(chan error, 1)
	k := kernelStream{failures: failed, errs: errs}
	if b := p.caps.batches; b != nil {
		batches := make(chan []sampler.Transition, batchBuffer)
		k.batches = batches
		if r, ok := b.(sampler.BatchRecycler); ok {
			k.recycle = r.RecycleBatch
		}
		go func() {
			if err := b.WatchTransitionBatches(ctx, batches, failed); err != nil && ctx.Err() == nil {
				errs <- err
			}
		}()
		return k
	}
	trans := make(chan sampler.Transition, releaseBuffer)
	k.transitions = trans
	go func() {
		if err := w.WatchTransitions(ctx, trans, failed); err != nil && ctx.Err() == nil {
			errs <- err
		}
	}()
	return k
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

// handleBatch is handleTransitions of a batch from the source, handed
// back to it once reconciled.
func (p *Poller) handleBatch(b []sampler.Transition) {
	p.handleTransitions(b)
	p.recycleBatch(b)
}

// recycleBatch hands b back to the source (the reconciler keeps copies of
// what it needs, never the batch).
func (p *Poller) recycleBatch(b []sampler.Transition) {
	if p.kernel.recycle != nil {
		p.kernel.recycle(b)
	}
}

// handleTransitions reconciles ts, and every transition already queued
// behind them, and publishes their events without waiting for a sample.
func (p *Poller) handleTransitions(ts []sampler.Transition) {
	events := p.transitionBatch[:0]
	disagreed := p.rec.Disagreements()
	now := p.now() // for transitions without a time of their own
	for i := range ts {
		events = p.rec.Transition(now, ts[i], events)
	}
	for more := true; more; {
		select {
		case t := <-p.kernel.transitions:
			events = p.rec.Transition(now, t, events)
		case b := <-p.kernel.batches:
			for i := range b {
				events = p.rec.Transition(now, b[i], events)
			}
			p.recycleBatch(b)
		default:
			more = false
		}
	}
	// A backlog drained at once (after a check's walk, or the first
	// sample, held the poller up) grows the buffer past
	// transitionBatchMax: 23k events (5.6 MB) after a walk, tens of
	// thousands at watch's start. It is handed to pending whole all the
	// same (delivered in parts, the first part came while the consumer
	// still wrote the batch before, and pending dropped events over its
	// cap), and given, not lent: pending keeps the slice itself where it
	// holds no events, rather than copying it into one a quarter bigger
	// beside it (sampler/MEMORY.md); the poller lets it go.
	grown := cap(events) > transitionBatchMax
	if len(events) > 0 || p.rec.Disagreements() != disagreed {
		// Lent unless grown: this buffer is reused, pending copies
		// what it keeps.
		p.pending.add(p.update(update{events: events, borrowed: !grown}))
	}
	p.transitionBatch = events[:0]
	if grown {
		p.transitionBatch = nil
	}
}

// transitionBatchMax bounds the events buffer handleTransitions keeps for
// the next drain (~1 MB).
const transitionBatchMax = 4096

// handleTransition is handleTransitions of one.
func (p *Poller) handleTransition(t sampler.Transition) {
	p.one[0] = t
	p.handleTransitions(p.one[:])
	p.one[0] = sampler.Transition{}
}

// drainTransitions reconciles the transitions queued before a sample.
func (p *Poller) drainTransitions() {
	select {
	case t := <-p.kernel.transitions:
		p.handleTransition(t)
	case b := <-p.kernel.batches:
		p.handleBatch(b)
	default:
	}
}
