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
	free []freeBuf
}

type bufRefs struct {
	poller, consumer int
	buf              []sampler.Socket
	own              bool // built by the poller (Tick), not a source's sample
}

// freeBuf is a buffer nobody holds; own as bufRefs.own.
type freeBuf struct {
	buf []sampler.Socket
	own bool
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

// markOwn records that the poller built s (a tick's table), not the source.
func (r *snapRefs) markOwn(s []sampler.Socket) {
	r.change(s, func(e *bufRefs) bool { e.own = true; return true })
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
		r.free = append(r.free, freeBuf{e.buf, e.own})
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

// popFree returns a buffer nobody holds any more; buf nil when none.
func (r *snapRefs) popFree() freeBuf {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.free)
	if n == 0 {
		return freeBuf{}
	}
	s := r.free[n-1]
	r.free[n-1] = freeBuf{}
	r.free = r.free[:n-1]
	return s
}

// putFree puts back a buffer popFree gave out and nothing filled; false
// when the free list is full.
func (r *snapRefs) putFree(f freeBuf) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cap(f.buf) == 0 || len(r.free) >= maxFree {
		return false
	}
	r.free = append(r.free, freeBuf{f.buf[:0], f.own})
	return true
}

// Recycle is the consumer's end of one batch (see Recycler): call it once
// for every batch Next returned, when done with its Snapshot.
func (p *Poller) Recycle(s sampler.Snapshot) { p.refs.recycle(s.Sockets) }

var _ sampler.Recycler = (*Poller)(nil)

// recycleFree hands the buffers nobody holds to a source that reuses them.
// It runs in the poller's goroutine, just before a sample. For a paced
// consumer it keeps one table the poller built, for its next (popReserve).
func (p *Poller) recycleFree() {
	paced := p.paced()
	var kept []sampler.Socket
	for {
		f := p.refs.popFree()
		if f.buf == nil {
			break
		}
		if paced && f.own && kept == nil {
			kept = f.buf // the next table's (see popReserve)
			continue
		}
		p.giveSource(f.buf) // a source's own table: its check fills it
	}
	if kept != nil {
		p.keepFree(freeBuf{kept, true}, true)
	}
}

func (p *Poller) giveSource(s []sampler.Socket) {
	if r := p.caps.recycler; r != nil {
		r.Recycle(s)
	}
}

// keepFree takes back f, a free buffer a tick popped and did not fill: a
// paced consumer's next table is built in it (see popReserve); else it
// goes to the source.
func (p *Poller) keepFree(f freeBuf, paced bool) {
	if paced && p.refs.putFree(f) {
		return
	}
	p.giveSource(f.buf)
}

// popReserve is popFree for a tick. For a paced consumer (the live view)
// it keeps one free table for the next it builds, and hands every other
// free buffer to the source: one table alive beside the one shown, not
// two. Handed to the source at every tick as before, the tables the
// poller built were let go (the netns source keeps no whole table between
// checks) or kept idle as the source's spare, each take's next table was
// made anew (250 MB allocated in 30 s at ~110k sockets), and a check's
// table sat idle in the netns source for the next check.
//
// A check's table is kept rather than one the poller built, unless that
// is much bigger: the netns source still points at it (a member's last
// read, written to by the consumer as it may), and gets it back just
// before the next check (recycleFree) to fill it again, where a table of
// the poller's own would be let go and a new one made.
func (p *Poller) popReserve(paced bool) freeBuf {
	if !paced {
		return p.refs.popFree()
	}
	var keep freeBuf
	for {
		f := p.refs.popFree()
		if f.buf == nil {
			return keep
		}
		if keep.buf == nil || better(f, keep) {
			f, keep = keep, f
		}
		if f.buf != nil {
			p.giveSource(f.buf)
		}
	}
}

// better reports whether a makes a better reserve than b (see popReserve).
func better(a, b freeBuf) bool {
	ca, cb := cap(a.buf), cap(b.buf)
	if a.own == b.own {
		return ca > cb
	}
	if a.own {
		return ca > cb+cb/8
	}
	return cb <= ca+ca/8
}
