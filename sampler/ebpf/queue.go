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
// counts what it cannot hold).
//
// It holds its transitions in segments of segSize, made as the backlog
// grows and let go as it drains: what it holds is the backlog rounded up
// to a segment, never a copy of it (a ring grown by doubling held the old
// ring and the new at once, and kept the largest for good), and popAll
// hands out at most a segment's worth at a time.
type queue struct {
	mu     sync.Mutex
	cond   sync.Cond
	segs   [][]sampler.Transition // segs[0][head:] is the oldest; each has cap segSize
	head   int
	n      int
	spare  []sampler.Transition // one drained segment kept for the next
	pushed uint64               // transitions pushed so far
	popped uint64               // transitions taken and handed on so far
	closed bool
	// progress tells awaitHanded of each handedN.
	progress progress
}

// maxQueued bounds the queue: 64Ki transitions of 232 bytes, 15 MB.
const maxQueued = 1 << 16

// segSize is the transitions a segment holds (232 KB) and the most
// popAll hands out at once.
const segSize = 1 << 10

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
	for len(ts) > 0 {
		for q.n == maxQueued && !q.closed {
			q.cond.Broadcast() // the taker may be waiting for what is queued
			q.cond.Wait()
		}
		if q.closed {
			return false
		}
		last := len(q.segs) - 1
		if last < 0 || len(q.segs[last]) == segSize {
			q.segs = append(q.segs, q.newSeg())
			last++
		}
		k := min(len(ts), segSize-len(q.segs[last]), maxQueued-q.n)
		q.segs[last] = append(q.segs[last], ts[:k]...)
		ts = ts[k:]
		q.n += k
		q.pushed += uint64(k)
	}
	q.cond.Broadcast()
	return true
}

// newSeg is an empty segment: the spare, else a new one.
func (q *queue) newSeg() []sampler.Transition {
	if s := q.spare; s != nil {
		q.spare = nil
		return s
	}
	return make([]sampler.Transition, 0, segSize)
}

// take moves up to max of the oldest transitions to dst; the caller holds
// the lock and there is one at least. A drained segment is cleared (the
// names and paths it holds) and kept as the spare or let go.
func (q *queue) take(dst []sampler.Transition, max int) []sampler.Transition {
	for max > 0 && q.n > 0 {
		seg := q.segs[0]
		k := min(max, len(seg)-q.head)
		dst = append(dst, seg[q.head:q.head+k]...)
		q.head += k
		q.n -= k
		max -= k
		if q.head == len(seg) { // only the last is ever not full
			clear(seg)
			q.segs[0] = nil
			q.segs = q.segs[1:]
			q.head = 0
			if q.spare == nil {
				q.spare = seg[:0]
			}
		}
	}
	if len(q.segs) == 0 {
		q.segs = nil // let the slice of segments go too
	}
	return dst
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
	var one [1]sampler.Transition
	got, ok := q.popAll(one[:0])
	if !ok {
		return sampler.Transition{}, false
	}
	return got[0], true
}

// popAll waits for a transition and appends the oldest queued to dst, in
// order, as many as dst has room for, and at least one (up to segSize
// when dst is nil or has no room); false once closed. One lock for the
// lot: the forwarder hands on a reader's burst at once. A nil dst gets a
// slice of its own, of the exact size, or the oldest segment itself
// (takeSeg).
func (q *queue) popAll(dst []sampler.Transition) ([]sampler.Transition, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.n == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return dst, false
	}
	if seg, ok := q.takeSeg(dst); ok {
		q.cond.Broadcast()
		return seg, true
	}
	max := cap(dst) - len(dst)
	if max <= 0 {
		max = segSize
	}
	max = min(max, q.n)
	if dst == nil {
		dst = make([]sampler.Transition, 0, max)
	}
	dst = q.take(dst, max)
	q.cond.Broadcast()
	return dst, true
}

// takeSeg hands out the oldest segment itself when it is full and none
// of it taken yet, and dst is nil or an empty segment (kept as the spare
// if there is none); the caller holds the lock. A backlog (the
// transitions queued while watch's first sample is read: up to
// maxQueued, 15 MB) then goes to the subscriber as the segments it is
// held in, not copied into batches beside them first.
func (q *queue) takeSeg(dst []sampler.Transition) ([]sampler.Transition, bool) {
	if len(dst) != 0 || dst != nil && cap(dst) != segSize || q.head != 0 || len(q.segs[0]) != segSize {
		return nil, false
	}
	seg := q.segs[0]
	q.segs[0] = nil
	q.segs = q.segs[1:]
	if len(q.segs) == 0 {
		q.segs = nil
	}
	q.n -= segSize
	if dst != nil && q.spare == nil {
		q.spare = dst
	}
	return seg, true
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

// held is the transitions' room the queue holds (its segments and spare).
func (q *queue) held() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := cap(q.spare)
	for _, s := range q.segs {
		n += cap(s)
	}
	return n
}
