package ebpf

import (
	"sync"

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
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.n == maxQueued && !q.closed {
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
	q.cond.Broadcast()
	return true
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
// a reader's burst at once.
func (q *queue) popAll(dst []sampler.Transition) ([]sampler.Transition, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.n == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return dst, false
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
