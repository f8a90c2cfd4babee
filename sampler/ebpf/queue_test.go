package ebpf

import (
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/porttop/porttop/sampler"
)

// The queue hands transitions on in order across its growth and wrap,
// counts what was pushed and handed, and lets go of waiters on close.
func TestQueueKeepsOrderAndCounts(t *testing.T) {
	q := newQueue()
	next := uint64(0)
	for round := 0; round < 5; round++ {
		for i := 0; i < 50+round*40; i++ {
			q.push(sampler.Transition{Sock: uint64(round*1000 + i)})
		}
		for i := 0; i < 50+round*40-7; i++ {
			tr, ok := q.pop()
			if !ok {
				t.Fatal("pop on an open queue failed")
			}
			_ = tr
			q.handed()
			next++
		}
	}
	pushed, handed := q.counts()
	if handed != next || pushed != handed+5*7 {
		t.Fatalf("counts %d pushed, %d handed; want %d, %d", pushed, handed, handed+35, next)
	}
	// What is left comes out in push order.
	prev := int64(-1)
	for i := 0; i < 35; i++ {
		tr, _ := q.pop()
		if int64(tr.Sock) <= prev {
			t.Fatalf("out of order: %d after %d", tr.Sock, prev)
		}
		prev = int64(tr.Sock)
	}
	done := make(chan bool)
	go func() { _, ok := q.pop(); done <- ok }()
	q.close()
	if <-done {
		t.Error("pop on a closed, empty queue returned a transition")
	}
	if q.push(sampler.Transition{}) {
		t.Error("push on a closed queue succeeded")
	}
}

// popAll takes every queued transition at once, in push order, across
// the ring's wrap; it counts nothing handed until told.
func TestQueuePopAllTakesTheBurstInOrder(t *testing.T) {
	q := newQueue()
	for i := range 60 { // wraps the first ring of 64 below
		q.push(sampler.Transition{Sock: uint64(i)})
	}
	for range 40 {
		q.pop()
	}
	q.handedN(40)
	for i := 60; i < 100; i++ {
		q.push(sampler.Transition{Sock: uint64(i)})
	}
	got, ok := q.popAll(nil)
	if !ok || len(got) != 60 {
		t.Fatalf("popAll: %d transitions, %v; want 60", len(got), ok)
	}
	for i, tr := range got {
		if tr.Sock != uint64(40+i) {
			t.Fatalf("transition %d is %d, want %d", i, tr.Sock, 40+i)
		}
	}
	if pushed, handed := q.counts(); pushed != 100 || handed != 40 {
		t.Errorf("counts %d pushed, %d handed; want 100, 40", pushed, handed)
	}
	q.handedN(len(got))
	if _, handed := q.counts(); handed != 100 {
		t.Errorf("%d handed, want 100", handed)
	}
	done := make(chan bool)
	go func() { _, ok := q.popAll(nil); done <- ok }()
	q.close()
	if <-done {
		t.Error("popAll on a closed, empty queue returned transitions")
	}
}

// bypass hands a batch on past the queue only when nothing pushed before
// it is still to be handed on, and counts it; awaitHanded returns once
// everything pushed before it is handed on, woken by handedN, not before.
func TestQueueBypassNeverOvertakes(t *testing.T) {
	q := newQueue()
	sent := 0
	send := func() bool { sent++; return true }
	if !q.bypass(3, send) || sent != 1 {
		t.Fatal("bypass of an empty queue did not send")
	}
	q.push(sampler.Transition{Sock: 1})
	if q.bypass(2, send) || sent != 1 {
		t.Fatal("bypass sent past a queued transition")
	}
	got, _ := q.popAll(nil)
	if q.bypass(2, send) || sent != 1 {
		t.Fatal("bypass sent past a transition taken but not yet handed on")
	}
	if q.bypass(2, func() bool { return false }) {
		t.Fatal("bypass counted a send that did not happen")
	}
	waited := make(chan bool)
	go func() { waited <- q.awaitHanded(time.Minute) }()
	select {
	case <-waited:
		t.Fatal("awaitHanded returned with a transition not handed on")
	case <-time.After(20 * time.Millisecond):
	}
	q.handedN(len(got))
	if !<-waited {
		t.Fatal("awaitHanded gave up after everything was handed on")
	}
	if pushed, handed := q.counts(); pushed != 4 || handed != 4 {
		t.Errorf("counts %d pushed, %d handed; want 4, 4", pushed, handed)
	}
	if !q.bypass(2, send) || sent != 2 {
		t.Error("bypass of a queue handed on in full did not send")
	}
	if q.awaitHanded(time.Millisecond) != true {
		t.Error("awaitHanded with nothing outstanding did not return at once")
	}
}

// Under a burst the queue holds its backlog rounded up to a segment (not
// a doubled ring, not kept once drained), popAll hands it out a segment
// at a time in push order, and a drained queue holds one segment at most.
func TestQueueHoldsItsBacklogOnly(t *testing.T) {
	q := newQueue()
	const burst = 40_000
	ts := make([]sampler.Transition, 3000)
	for pushed := 0; pushed < burst; pushed += len(ts) {
		for i := range ts {
			ts[i] = sampler.Transition{Sock: uint64(pushed + i)}
		}
		q.pushAll(ts[:min(len(ts), burst-pushed)])
		if held, n := q.held(), min(pushed+len(ts), burst); held > n+2*segSize {
			t.Fatalf("%d queued, %d held", n, held)
		}
	}
	next := uint64(0)
	for next < burst {
		got, ok := q.popAll(nil)
		if !ok || len(got) == 0 || len(got) > segSize {
			t.Fatalf("popAll handed out %d (%v), want 1 to %d", len(got), ok, segSize)
		}
		for _, tr := range got {
			if tr.Sock != next {
				t.Fatalf("got %d, want %d", tr.Sock, next)
			}
			next++
		}
		q.handedN(len(got))
		if left := burst - int(next); q.held() > left+2*segSize {
			t.Fatalf("%d left, %d held", left, q.held())
		}
	}
	if q.held() > segSize {
		t.Errorf("drained, %d held; want a segment at most", q.held())
	}
	if pushed, handed := q.counts(); pushed != burst || handed != burst {
		t.Errorf("counts %d pushed, %d handed", pushed, handed)
	}
}

// A backlog (what the reader queued while watch's first sample was read)
// goes to a subscriber of batches as the segments it is held in: taking
// it allocates no copy of it, and the transitions come in order.
func TestQueueHandsOutItsSegments(t *testing.T) {
	q := newQueue()
	const segs = 32
	ts := make([]sampler.Transition, 1000)
	for pushed := 0; pushed < segs*segSize; pushed += len(ts) {
		for i := range ts {
			ts[i] = sampler.Transition{Sock: uint64(pushed + i)}
		}
		q.pushAll(ts[:min(len(ts), segs*segSize-pushed)])
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var got [][]sampler.Transition
	for range segs {
		b, ok := q.popAll(nil)
		if !ok {
			t.Fatal("popAll on an open queue failed")
		}
		got = append(got, b)
		q.handedN(len(b))
	}
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	next := uint64(0)
	for _, b := range got {
		for _, tr := range b {
			if tr.Sock != next {
				t.Fatalf("got %d, want %d", tr.Sock, next)
			}
			next++
		}
	}
	if next != segs*segSize {
		t.Fatalf("%d taken, want %d", next, segs*segSize)
	}
	backlog := uint64(segs * segSize * unsafe.Sizeof(sampler.Transition{}))
	if allocated > backlog/segs {
		t.Errorf("taking a backlog of %.1f MB allocated %.1f MB, want at most a segment's %.2f (no copy)",
			float64(backlog)/(1<<20), float64(allocated)/(1<<20), float64(backlog/segs)/(1<<20))
	}
	if held := q.held(); held > segSize {
		t.Errorf("drained, %d held; want a segment at most", held)
	}
}

// A full queue makes its pusher wait, and takes the rest once the taker
// makes room: nothing pushed is lost or reordered at the bound.
func TestQueueWaitsAtItsBound(t *testing.T) {
	q := newQueue()
	ts := make([]sampler.Transition, maxQueued+10)
	for i := range ts {
		ts[i].Sock = uint64(i)
	}
	done := make(chan bool)
	go func() { done <- q.pushAll(ts) }()
	next := uint64(0)
	for next < uint64(len(ts)) {
		got, ok := q.popAll(make([]sampler.Transition, 0, 5000))
		if !ok {
			t.Fatal("popAll on an open queue failed")
		}
		for _, tr := range got {
			if tr.Sock != next {
				t.Fatalf("got %d, want %d", tr.Sock, next)
			}
			next++
		}
		q.handedN(len(got))
	}
	if !<-done {
		t.Error("pushAll past the bound failed")
	}
}

// BenchmarkQueueBacklog: a startup's backlog (40,000 transitions pushed
// in the reader's bursts of 256 while nobody takes them, as during the
// first sample), then drained by popAll(nil) as the forwarder once did
// for a subscriber of batches. B/op is what one backlog costs.
func BenchmarkQueueBacklog(b *testing.B) {
	burst := make([]sampler.Transition, 256)
	b.ReportAllocs()
	for range b.N {
		q := newQueue()
		for n := 0; n < 40_000; n += len(burst) {
			q.pushAll(burst)
		}
		for {
			pushed, handed := q.counts()
			if handed == pushed {
				break
			}
			got, _ := q.popAll(nil)
			q.handedN(len(got))
		}
	}
}
