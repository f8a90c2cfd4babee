package poll

import (
	"sync"

	"github.com/porttop/porttop/sampler"
)

// Bounds of the reference table: buffers the consumer still holds after the
// poller let go are forgotten (never reused) past maxConsumerOnly, so a
// consumer that never recycles costs nothing; at most maxFree fully released
// buffers wait for the source.
const (
	maxConsumerOnly = 4
	maxFree         = 2
)

// snapRefs counts who holds each snapshot buffer (keyed by its first
// element): the poller (as its diff base, and as the undelivered pending
// snapshot) and the consumer (once per delivered batch). A buffer nobody
// holds goes to the free list, for the source to fill again.
type snapRefs struct {
	mu   sync.Mutex
	bufs map[*sampler.Socket]*bufRefs
	free [][]sampler.Socket
}

type bufRefs struct {
	poller, consumer int
	buf              []sampler.Socket
}

func newSnapRefs() *snapRefs { return &snapRefs{bufs: map[*sampler.Socket]*bufRefs{}} }

// bufKey identifies a slice's backing array; nil when there is none.
func bufKey(s []sampler.Socket) *sampler.Socket {
	if cap(s) == 0 {
		return nil
	}
	return &s[:1][0]
}

// hold and drop are the poller's references.
func (r *snapRefs) hold(s []sampler.Socket) {
	k := bufKey(s)
	if k == nil {
		return
	}
	r.mu.Lock()
	e := r.bufs[k]
	if e == nil {
		e = &bufRefs{buf: s[:0]}
		r.bufs[k] = e
	}
	e.poller++
	r.forgetExcess()
	r.mu.Unlock()
}

func (r *snapRefs) drop(s []sampler.Socket) {
	r.change(s, func(e *bufRefs) bool {
		if e.poller == 0 {
			return false
		}
		e.poller--
		return true
	})
}

// deliver counts a batch carrying s handed to the consumer.
func (r *snapRefs) deliver(s []sampler.Socket) {
	r.change(s, func(e *bufRefs) bool { e.consumer++; return true })
}

// recycle is the consumer's end of one delivered batch.
func (r *snapRefs) recycle(s []sampler.Socket) {
	r.change(s, func(e *bufRefs) bool {
		if e.consumer == 0 {
			return false // recycled more often than delivered: ignore
		}
		e.consumer--
		return true
	})
}

// change applies f to s's entry and frees the buffer when nobody holds it.
// Unknown buffers (never held, or forgotten) are left alone: never reused.
func (r *snapRefs) change(s []sampler.Socket, f func(*bufRefs) bool) {
	k := bufKey(s)
	if k == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.bufs[k]
	if e == nil || !f(e) || e.poller > 0 || e.consumer > 0 {
		return
	}
	delete(r.bufs, k)
	if len(r.free) < maxFree {
		r.free = append(r.free, e.buf)
	}
}

// forgetExcess drops the entries of buffers only the consumer holds, once
// there are too many: a consumer that does not recycle keeps them forever.
func (r *snapRefs) forgetExcess() {
	only := 0
	for _, e := range r.bufs {
		if e.poller == 0 {
			only++
		}
	}
	for k, e := range r.bufs {
		if only <= maxConsumerOnly {
			return
		}
		if e.poller == 0 {
			delete(r.bufs, k)
			only--
		}
	}
}

// popFree returns a buffer nobody holds any more, or nil.
func (r *snapRefs) popFree() []sampler.Socket {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.free)
	if n == 0 {
		return nil
	}
	s := r.free[n-1]
	r.free[n-1] = nil
	r.free = r.free[:n-1]
	return s
}

// putFree puts back a buffer popFree gave out and nothing filled; false
// when the free list is full.
func (r *snapRefs) putFree(s []sampler.Socket) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cap(s) == 0 || len(r.free) >= maxFree {
		return false
	}
	r.free = append(r.free, s[:0])
	return true
}

// Recycle is the consumer's end of one batch (see Recycler): call it once
// for every batch Next returned, when done with its Snapshot.
func (p *Poller) Recycle(s sampler.Snapshot) { p.refs.recycle(s.Sockets) }

var _ sampler.Recycler = (*Poller)(nil)

// recycleFree hands the buffers nobody holds to a source that reuses them.
// It runs in the poller's goroutine, just before a sample.
//
// For a paced consumer (the live view) the ticks' UDP-only samples do not
// get them: the poller keeps them for its next table (keepFree), and the
// source gets them just before a check (startCheck), the one sample that
// fills a whole table. Handed to the source at every tick, the view's last
// table sat idle as the source's spare and the next take's table was made
// anew beside it: three whole tables alive at each build (the one shown,
// the spare, the new one), 31 MB each at ~160k sockets.
func (p *Poller) recycleFree() {
	r := p.caps.recycler
	for {
		s := p.refs.popFree()
		if s == nil {
			return
		}
		if r != nil {
			r.Recycle(s)
		}
	}
}

// keepFree takes back buf, a free buffer a tick popped and did not fill:
// a paced consumer's next table is built in it (see recycleFree); else it
// goes to the source.
func (p *Poller) keepFree(buf []sampler.Socket, paced bool) {
	if paced && p.refs.putFree(buf) {
		return
	}
	if p.caps.recycler != nil {
		p.caps.recycler.Recycle(buf)
	}
}

// popReserve is popFree for a tick: for a paced consumer, the free buffers
// but the one returned are let go (kept, each would be one more whole table
// idle beside the one shown: a check's table and the last one handed back
// come free within a take of each other).
func (p *Poller) popReserve(paced bool) []sampler.Socket {
	buf := p.refs.popFree()
	for paced && buf != nil {
		more := p.refs.popFree()
		if more == nil {
			break
		}
		if cap(more) > cap(buf) {
			buf = more
		}
	}
	return buf
}
