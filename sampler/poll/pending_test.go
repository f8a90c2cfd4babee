package poll

import (
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Events borrowed from a buffer the poller reuses (its transition and
// release batches) are copied by pending: writing the buffer over after
// each add changes nothing a batch delivers, whether pending held events
// already (appended) or none (a slice of their own).
func TestPendingCopiesBorrowedEvents(t *testing.T) {
	p := newPending(1000, "test", &snapRefs{})
	at := time.Unix(1000, 0)
	buf := make([]sampler.Event, 0, 4)
	add := func(ports ...uint16) {
		buf = buf[:0]
		for _, port := range ports {
			e := sampler.Event{Kind: sampler.Opened, Time: at}
			e.Socket.Proto, e.Socket.Cookie = sampler.TCP, uint64(port)
			buf = append(buf, e)
		}
		p.add(update{events: buf, borrowed: true})
		for i := range buf {
			buf[i].Socket.Cookie = 0 // the buffer reused
		}
	}
	cookies := func(b sampler.Batch) []uint64 {
		var out []uint64
		for _, e := range b.Events {
			out = append(out, e.Socket.Cookie)
		}
		return out
	}
	add(1, 2) // pending held none
	add(3)    // appended
	b, ok := p.take()
	if got := cookies(b); !ok || len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Errorf("first batch: %v (taken %v), want [1 2 3]", got, ok)
	}
	add(4)
	b, ok = p.take()
	if got := cookies(b); !ok || len(got) != 1 || got[0] != 4 {
		t.Errorf("second batch: %v (taken %v), want [4]", got, ok)
	}
}
