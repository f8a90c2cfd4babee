package poll

import (
	"net/netip"
	"testing"

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
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	ts := make([]sampler.Transition, n)
	for i := range ts {
		ts[i] = sampler.Transition{
			At: at(1), Proto: sampler.TCP, Cookie: uint64(1000 + i),
			Local: netip.AddrPortFrom(lo, uint16(10000+i)), Remote: netip.AddrPortFrom(netip.IPv4Unspecified(), 0),
			From: sampler.StateClose, To: sampler.StateListen, Opener: sampler.Owner{PID: 9, Process: "server"},
		}
	}
	p.handleTransitions(ts)
	b := take(t, p)
	if len(b.Events) != n {
		t.Fatalf("%d events for %d listeners opened", len(b.Events), n)
	}
	for i := range b.Events {
		if b.Events[i].Kind != sampler.Opened || b.Events[i].Socket.Cookie != uint64(1000+i) {
			t.Fatalf("event %d: %v of cookie %d, want the open of cookie %d", i, b.Events[i].Kind, b.Events[i].Socket.Cookie, 1000+i)
		}
	}
	if c := cap(p.transitionBatch); c > transitionBatchMax {
		t.Errorf("the poller keeps a buffer of %d events after the backlog, want <= %d", c, transitionBatchMax)
	}
}
