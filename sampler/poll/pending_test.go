package poll

import (
	"runtime"
	"testing"
	"time"
	"unsafe"

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

// A taken batch's Events handed back (RecycleEvents) are the memory the
// next batch of borrowed events fills, cleared meanwhile: under churn a
// new slice per batch (100 a second) was the poller's largest
// allocation. A slice bigger than maxFreeEvents (the first batch's, one
// event per socket) is not kept.
func TestRecycledEventsFillTheNextBatch(t *testing.T) {
	p := newPending(100_000, "test", &snapRefs{})
	at := time.Unix(1000, 0)
	add := func(n int, cookie uint64) {
		buf := make([]sampler.Event, n)
		for i := range buf {
			buf[i] = sampler.Event{Kind: sampler.Opened, Time: at}
			buf[i].Socket.Proto, buf[i].Socket.Cookie, buf[i].Socket.Process = sampler.TCP, cookie, "p"
		}
		p.add(update{events: buf, borrowed: true})
	}
	add(8, 1)
	first, _ := p.take()
	p.recycleEvents(first.Events)
	if got := first.Events[:cap(first.Events)][0]; got.Socket.Process != "" {
		t.Errorf("a recycled slice still holds %+v", got)
	}
	add(5, 2)
	next, _ := p.take()
	if len(next.Events) != 5 || next.Events[0].Socket.Cookie != 2 || next.Events[4].Socket.Cookie != 2 {
		t.Fatalf("the next batch: %+v", next.Events)
	}
	if &next.Events[0] != &first.Events[:1][0] {
		t.Error("the next batch's events are in a new slice, not the one handed back")
	}
	// A huge slice is let go.
	add(maxFreeEvents+1, 3)
	big, _ := p.take()
	p.recycleEvents(big.Events)
	add(1, 4)
	after, _ := p.take()
	if &after.Events[0] == &big.Events[0] {
		t.Error("a slice of more than maxFreeEvents events was kept")
	}
}

// A batch gathered from many ticks' events (a consumer that takes one
// every 2 s) grows at once to what the last batches held, not by
// append's steps (1.25x for big slices: about five times the batch
// allocated, most of the poller's allocation under churn); the first
// sample's every socket does not make the batches after it that big.
func TestPendingGrowsToTheLastBatches(t *testing.T) {
	p := newPending(100_000, "test", &snapRefs{})
	at := time.Unix(1000, 0)
	add := func(n int) {
		evs := make([]sampler.Event, n)
		for i := range evs {
			evs[i] = sampler.Event{Kind: sampler.Opened, Time: at}
		}
		p.add(update{events: evs})
	}
	add(50_000) // the first sample's
	p.take()
	for batch := range 4 {
		arrays := map[*sampler.Event]bool{}
		for range 200 { // 200 ticks of 50 events
			add(50)
			arrays[&p.batch.Events[0]] = true
		}
		b, _ := p.take()
		if len(b.Events) != 10_000 {
			t.Fatalf("batch %d: %d events", batch, len(b.Events))
		}
		if batch >= 2 && (len(arrays) > 2 || cap(b.Events) > 2*len(b.Events)) {
			t.Errorf("batch %d: grew through %d slices to room for %d events", batch, len(arrays), cap(b.Events))
		}
	}
}

// A paced consumer's batches (the live view takes one every 1-2 s: tens of
// thousands of events under churn), handed back, are filled again, though
// they are past maxFreeEvents: a new slice per batch was the live view's
// largest allocation. The first sample's every socket is still let go.
func TestPacedBatchesHandedBackAreFilledAgain(t *testing.T) {
	p := newPending(100_000, "test", &snapRefs{})
	at := time.Unix(1000, 0)
	tick := func(n int) {
		evs := make([]sampler.Event, n)
		for i := range evs {
			evs[i] = sampler.Event{Kind: sampler.Opened, Time: at}
		}
		p.add(update{events: evs, borrowed: true})
	}
	tick(50_000) // the first sample's
	first, _ := p.take()
	p.recycleEvents(first.Events)
	if p.freeEvents != nil {
		t.Fatalf("the first sample's %d events were kept", cap(first.Events))
	}
	var prev []sampler.Event
	for batch := range 5 {
		for range 200 { // 200 ticks of 100 events
			tick(100)
		}
		b, _ := p.take()
		if len(b.Events) != 20_000 {
			t.Fatalf("batch %d: %d events", batch, len(b.Events))
		}
		if batch >= 3 && &b.Events[0] != &prev[:1][0] {
			t.Errorf("batch %d: in a new slice, not the one handed back (room for %d)", batch, cap(prev))
		}
		p.recycleEvents(b.Events)
		prev = b.Events
	}
}

// The first sample's events are an open for every socket: a table bigger
// than the cap must not lose its oldest opens (110k sockets under the
// default 100k cap lost 4-10k at the start). What may wait follows the
// table; past that the oldest still go, counted.
func TestFirstBatchOfABigTableKeepsEveryOpen(t *testing.T) {
	p := newPending(10, "test", newSnapRefs())
	events := func(n int) []sampler.Event {
		out := make([]sampler.Event, n)
		for i := range out {
			out[i].Kind = sampler.Opened
			out[i].Socket.Proto, out[i].Socket.Cookie = sampler.TCP, uint64(i+1)
		}
		return out
	}
	first := &sampler.Snapshot{Sockets: make([]sampler.Socket, 16)}
	p.add(update{snapshot: first, events: events(16)})
	b, _ := p.take()
	if len(b.Events) != 16 || b.Dropped != 0 {
		t.Fatalf("first batch: %d events, %d dropped; want 16 and 0", len(b.Events), b.Dropped)
	}
	p.add(update{events: events(30)}) // a table of 16 lets 20 wait
	b, _ = p.take()
	if len(b.Events) != 20 || b.Dropped != 10 || b.Events[0].Socket.Cookie != 11 {
		t.Errorf("later batch: %d events from cookie %d, %d dropped; want the newest 20 and 10 dropped",
			len(b.Events), b.Events[0].Socket.Cookie, b.Dropped)
	}
}

// A paced consumer (the live view: a batch every 3 s on a big table, tens
// of thousands of events) hands a batch's events back a few ticks after
// taking it, when the next batch has begun. pending then holds one
// batch's room, not two: the next batch moves into the slice handed
// back rather than have room of its own made at its second tick, with the
// handed-back slice kept idle beside it for the batch after (20 MB each
// at ~100k sockets under BIG=1's churn). Nor does it allocate much for
// it: half a batch's room a batch when the events come back early, and
// when they come back late (half the pace) two batches' at most, not
// append's five.
func TestPacedConsumerLeavesPendingOneBatchOfRoom(t *testing.T) {
	for _, tc := range []struct {
		backAfter int     // ticks after a take
		allocated float64 // room made a batch, in batches
	}{{4, 0.5}, {150, 2}} {
		p := newPending(1_000_000, "test", &snapRefs{})
		at := time.Unix(1000, 0)
		buf := make([]sampler.Event, 100)
		for i := range buf {
			buf[i] = sampler.Event{Kind: sampler.Opened, Time: at}
		}
		held := func() int { return cap(p.batch.Events) + cap(p.freeEvents) }
		const ticks = 300 // 30,000 events a batch
		var out []sampler.Event
		var mem runtime.MemStats
		for batch := range 8 {
			runtime.ReadMemStats(&mem)
			before := mem.TotalAlloc
			most := 0
			for i := range ticks {
				p.add(update{events: buf, borrowed: true})
				if i == tc.backAfter && out != nil {
					p.recycleEvents(out)
					out = nil
				}
				most = max(most, held())
			}
			runtime.ReadMemStats(&mem)
			made := float64(mem.TotalAlloc-before) / float64(unsafe.Sizeof(sampler.Event{}))
			b, _ := p.take()
			n := len(b.Events)
			if n != ticks*len(buf) {
				t.Fatalf("batch %d: %d events", batch, n)
			}
			if batch < 3 {
				out = b.Events
				continue
			}
			if most > n+n/4 {
				t.Errorf("events back after %d ticks: batch %d of %d events: pending held room for up to %d beside the consumer's",
					tc.backAfter, batch, n, most)
			}
			if made > tc.allocated*float64(n) {
				t.Errorf("events back after %d ticks: batch %d of %d events: room for %.0f made", tc.backAfter, batch, n, made)
			}
			out = b.Events
		}
	}
}

// TestPacedConsumerAfterPartsForecastsItsBatches: the first sample's
// opens taken in parts (the live view at 100k sockets) are not what a
// paced consumer's batches after them are judged by: from the second
// batch after the parts pending makes room as it does for any (see
// TestPacedConsumerLeavesPendingOneBatchOfRoom), not by append's steps
// from a part's size again (five times a batch: 234 MB of room made in a
// BIG=1 run, 107 MB with the first sample in one batch).
func TestPacedConsumerAfterPartsForecastsItsBatches(t *testing.T) {
	table, _ := benchTables(50_000)
	p := newPending(1_000_000, "test", newSnapRefs())
	p.add(update{snapshot: &table, existing: newExistingOpens(table, ExistingPart)})
	for p.existing != nil {
		b, _ := p.take()
		p.recycleEvents(b.Events)
	}
	at := time.Unix(1000, 0)
	buf := make([]sampler.Event, 100)
	for i := range buf {
		buf[i] = sampler.Event{Kind: sampler.Opened, Time: at}
	}
	const ticks = 300 // 30,000 events a batch
	var out []sampler.Event
	var mem runtime.MemStats
	for batch := range 4 {
		runtime.ReadMemStats(&mem)
		before := mem.TotalAlloc
		for i := range ticks {
			p.add(update{events: buf, borrowed: true})
			if i == 4 && out != nil {
				p.recycleEvents(out)
				out = nil
			}
		}
		runtime.ReadMemStats(&mem)
		made := float64(mem.TotalAlloc-before) / float64(unsafe.Sizeof(sampler.Event{}))
		b, _ := p.take()
		n := len(b.Events)
		t.Logf("batch %d after the parts: %d events, room for %.0f made", batch, n, made)
		if batch >= 1 && made > float64(n)/2 {
			t.Errorf("batch %d after the parts, of %d events: room for %.0f made, want at most half a batch", batch, n, made)
		}
		out = b.Events
	}
}
