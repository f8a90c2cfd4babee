package poll

import (
	"github.com/porttop/porttop/sampler"
)

// handleReleases turns r, and every release already queued behind it, into
// events at once, and publishes them without waiting for a sample.
func (p *Poller) handleReleases(r sampler.Release, queue <-chan sampler.Release) {
	// A source that streams transitions sent those made before the
	// release first: reconcile them first, in the kernel's order.
	p.drainTransitions()
	events := p.releaseBatch[:0]
	events = p.release(r, events)
	for more := true; more; {
		select {
		case r := <-queue:
			events = p.release(r, events)
		default:
			more = false
		}
	}
	if len(events) > 0 {
		// Borrowed: this buffer is reused, pending copies what it keeps.
		p.pending.add(p.update(update{events: events, borrowed: true}))
	}
	p.releaseBatch = events[:0]
}

// release hands one release to the reconciler, appending its events.
func (p *Poller) release(r sampler.Release, events []sampler.Event) []sampler.Event {
	now := r.At
	if now.IsZero() {
		now = p.now()
	}
	if r.Socket.Proto == sampler.UDP {
		p.udpReleased = true // the next tick samples UDP (see udpHeldStill)
	}
	return p.rec.release(now, r, events)
}
