package poll

import (
	"net/netip"
	"runtime"
	"testing"
	"unsafe"

	"github.com/porttop/porttop/sampler"
)

// A backlog of transitions drained at once (after a check's walk held the
// poller up) reaches the consumer whole, in order, while the buffer the
// poller keeps for the next drain stays within transitionBatchMax.
func TestTransitionBacklogKeepsABoundedBuffer(t *testing.T) {
	p, _ := newTestPoller(t, Config{}, ok(snap(t, at(0), sockB)))
	p.sample(t.Context())
	take(t, p)
	const n = 3*transitionBatchMax + 17
	ts := listenerOpens(n)
	p.handleTransitions(ts)
	b := take(t, p)
	checkListenerOpens(t, b, n)
	if c := cap(p.transitionBatch); c > transitionBatchMax {
		t.Errorf("the poller keeps a buffer of %d events after the backlog, want <= %d", c, transitionBatchMax)
	}
}

// listenerOpens are n transitions opening listeners (cookies from 1000).
func listenerOpens(n int) []sampler.Transition {
	ts := make([]sampler.Transition, n)
	for i := range ts {
		lo := netip.AddrFrom4([4]byte{127, byte(i >> 16), byte(i >> 8), byte(i)})
		ts[i] = sampler.Transition{
			At: at(1), Proto: sampler.TCP, Cookie: uint64(1000 + i),
			Local: netip.AddrPortFrom(lo, 10000), Remote: netip.AddrPortFrom(netip.IPv4Unspecified(), 0),
			From: sampler.StateClose, To: sampler.StateListen, Opener: sampler.Owner{PID: 9, Process: "server"},
		}
	}
	return ts
}

// checkListenerOpens checks that b carries listenerOpens(n)'s opens, in order.
func checkListenerOpens(t *testing.T, b sampler.Batch, n int) {
	t.Helper()
	if len(b.Events) != n {
		t.Fatalf("%d events for %d listeners opened", len(b.Events), n)
	}
	for i := range b.Events {
		if b.Events[i].Kind != sampler.Opened || b.Events[i].Socket.Cookie != uint64(1000+i) {
			t.Fatalf("event %d: %v of cookie %d, want the open of cookie %d", i, b.Events[i].Kind, b.Events[i].Socket.Cookie, 1000+i)
		}
	}
}

// A backlog as watch's first sample leaves (tens of thousands of
// transitions queued while the table was read) goes to pending as the
// buffer it was drained into, not copied into a second one beside it:
// the drain allocates what the reconciler alone does for the same
// transitions (the events' buffer grown by append, the sockets it keeps).
func TestTransitionBacklogGivenToPending(t *testing.T) {
	const n = 64 << 10 // the ebpf source's queue holds as many at most
	ts := listenerOpens(n)
	poller := func() *Poller {
		p, _ := newTestPoller(t, Config{}, ok(snap(t, at(0), sockB)))
		p.sample(t.Context())
		take(t, p)
		return p
	}
	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	alone := poller()
	reconciled := allocated(func() {
		var events []sampler.Event
		now := alone.now()
		for i := range ts {
			events = alone.rec.Transition(now, ts[i], events)
		}
	})
	p := poller()
	drained := allocated(func() { p.handleTransitions(ts) })
	events := uint64(n) * uint64(unsafe.Sizeof(sampler.Event{}))
	t.Logf("%d transitions: %.1f MB allocated drained, %.1f MB reconciled alone; the events %.1f MB",
		n, float64(drained)/(1<<20), float64(reconciled)/(1<<20), float64(events)/(1<<20))
	// A copy into pending was 1.25 times the events.
	if drained > reconciled+events/8 {
		t.Errorf("draining %d transitions allocated %.1f MB beyond the reconciler's, want at most %.1f (no copy into pending)",
			n, float64(drained-min(drained, reconciled))/(1<<20), float64(events/8)/(1<<20))
	}
	checkListenerOpens(t, take(t, p), n)
}
