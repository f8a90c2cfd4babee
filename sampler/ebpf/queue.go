package ebpf

import (
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
)

// queue is the bounded FIFO between the source's reader and the
// subscriber of its transitions: the reader, which must also keep the
// Attributor current for samples, never waits on a subscriber that is
// busy sampling (which would wait on the reader in turn); it waits only
// when maxQueued transitions are queued (the kernel buffers meanwhile and
// counts what it cannot hold). It allocates once, up to its bound.
type queue struct {
	mu      sync.Mutex
	cond    sync.Cond
	buf     []sampler.Transition // a ring; len is the capacity in use
	head, n int
	pushed  uint64 // transitions pushed so far
	popped  uint64 // transitions taken and handed on so far
	closed  bool
	// progress tells awaitHanded of each handedN.
	progress progress
}

// maxQueued bounds the queue (about 12 MiB of transitions).
const maxQueued = 1 << 16

func newQueue() *queue {
	q := &queue{}
	q.cond.L = &q.mu
	return q
}

// push appends t, waiting while the queue is full; false once closed.
func (q *queue) push(t sampler.Transition) bool {
	one := [1]sampler.Transition{t}
	return q.pushAll(one[:])
}

// pushAll appends ts in order, under one lock and with one wakeup of the
// taker for the lot, waiting while the queue is full; false once closed
// (what was appended before stays).
func (q *queue) pushAll(ts []sampler.Transition) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, t := range ts {
		for q.n == maxQueued && !q.closed {
			q.cond.Broadcast() // the taker may be waiting for what is queued
			q.cond.Wait()
		}
		if q.closed {
			return false
		}
		if q.n == len(q.buf) { // grow, unrolling the ring
			nb := make([]sampler.Transition, max(64, 2*len(q.buf)))
			for i := 0; i < q.n; i++ {
				nb[i] = q.buf[(q.head+i)%len(q.buf)]
			}
			q.buf, q.head = nb, 0
		}
		q.buf[(q.head+q.n)%len(q.buf)] = t
		q.n++
		q.pushed++
	}
	q.cond.Broadcast()
	return true
}

// bypass hands n transitions on past the queue with send, when nothing
// pushed before is still to be handed on (else they would overtake it),
// and counts them pushed and handed if send did. send must not block: it
// runs under the queue's lock.
func (q *queue) bypass(n int, send func() bool) bool {
	q.mu.Lock()
	ok := q.n == 0 && q.pushed == q.popped && !q.closed && send()
	if ok {
		q.pushed += uint64(n)
		q.popped += uint64(n)
	}
	q.mu.Unlock()
	if ok {
		q.progress.notify()
	}
	return ok
}

// pop waits for the oldest transition; false once closed.
func (q *queue) pop() (sampler.Transition, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.n == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return sampler.Transition{}, false
	}
	t := q.buf[q.head]
	q.buf[q.head] = sampler.Transition{}
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	q.cond.Broadcast()
	return t, true
}

// popAll waits for a transition and appends every one queued to dst, in
// order; false once closed. One lock for the lot: the forwarder hands on
// a reader's burst at once. A nil dst gets a slice of its own, of the
// exact size.
func (q *queue) popAll(dst []sampler.Transition) ([]sampler.Transition, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.n == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return dst, false
	}
	if dst == nil {
		dst = make([]sampler.Transition, 0, q.n)
	}
	for ; q.n > 0; q.n-- {
		dst = append(dst, q.buf[q.head])
		q.buf[q.head] = sampler.Transition{}
		q.head = (q.head + 1) % len(q.buf)
	}
	q.cond.Broadcast()
	return dst, true
}

// handed counts one popped transition as handed on.
func (q *queue) handed() { q.handedN(1) }

// handedN counts n popped transitions as handed on.
func (q *queue) handedN(n int) {
	q.mu.Lock()
	q.popped += uint64(n)
	q.cond.Broadcast()
	q.mu.Unlock()
	q.progress.notify()
}

// awaitHanded waits, at most max, until every transition pushed so far
// is handed on, and reports whether they were.
func (q *queue) awaitHanded(max time.Duration) bool {
	pushed, _ := q.counts()
	return q.progress.await(func() bool { _, handed := q.counts(); return handed >= pushed }, max)
}

// counts are the transitions pushed and handed on so far.
func (q *queue) counts() (pushed, handed uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pushed, q.popped
}

// close wakes every waiter for good.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
}
