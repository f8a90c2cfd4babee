package poll

import "github.com/porttop/porttop/sampler"

// twTimers are the TIME_WAIT sockets' timer ends, earliest first (a
// binary min-heap), each by the socket's cookie: ExpireTimeWait pops
// those run out instead of scanning the table. Under churn a timer runs
// out at nearly every tick, and the scan looked at every socket of a
// 100k-socket table ten times a second (1.0-1.6 s of CPU in a 40 s run at
// ~110k sockets, in watch and the live view alike). An entry is a hint,
// not the truth: the socket it names is looked up when it runs out and
// closed only if still in TIME_WAIT with that same end (a socket gone
// since, or re-armed with a new end pushed anew, leaves a stale entry that
// is skipped). Only sockets with a cookie: TIME_WAIT is TCP's, and
// sock_diag gives every socket one. 16 bytes a socket in TIME_WAIT.
type twTimers struct {
	heap  []twTimer
	built bool // since the base last came from a sample (see buildTimers)
}

type twTimer struct {
	ends   sampler.Stamp
	cookie uint64
}

// push adds a timer.
func (q *twTimers) push(t twTimer) {
	q.heap = append(q.heap, t)
	q.up(len(q.heap) - 1)
}

// next is the earliest timer, if any.
func (q *twTimers) next() (twTimer, bool) {
	if len(q.heap) == 0 {
		return twTimer{}, false
	}
	return q.heap[0], true
}

// pop takes the earliest timer away.
func (q *twTimers) pop() {
	n := len(q.heap) - 1
	q.heap[0] = q.heap[n]
	q.heap = q.heap[:n]
	if n > 0 {
		q.down(0)
	}
}

// reset empties the queue for a rebuild, keeping its room unless it is
// far bigger than what was in it (a burst of TIME_WAIT sockets gone).
func (q *twTimers) reset() {
	if cap(q.heap) > 4096 && cap(q.heap) > 4*len(q.heap) {
		q.heap = nil
	}
	q.heap = q.heap[:0]
}

// heapify orders timers appended with add.
func (q *twTimers) heapify() {
	for i := len(q.heap)/2 - 1; i >= 0; i-- {
		q.down(i)
	}
}

// add appends a timer unordered (heapify orders them).
func (q *twTimers) add(t twTimer) { q.heap = append(q.heap, t) }

func (q *twTimers) up(i int) {
	h := q.heap
	for i > 0 {
		p := (i - 1) / 2
		if h[p].ends <= h[i].ends {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func (q *twTimers) down(i int) {
	h := q.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h[r].ends < h[l].ends {
			m = r
		}
		if h[i].ends <= h[m].ends {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
