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

// heldTables counts the buffers the poller or its consumer holds.
func (r *snapRefs) heldTables() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.bufs {
		if e.poller > 0 || e.consumer > 0 {
			n++
		}
	}
	return n
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

// putFree puts back a buffer of the poller's own that popFree gave out and
// nothing filled; false when the free list is full.
func (r *snapRefs) putFree(s []sampler.Socket) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cap(s) == 0 || len(r.free) >= maxFree {
		return false
	}
	r.free = append(r.free, freeBuf{s[:0], true})
	return true
}

// Recycle is the consumer's end of one batch (see Recycler): call it once
// for every batch Next returned, when done with its Snapshot.
func (p *Poller) Recycle(s sampler.Snapshot) { p.refs.recycle(s.Sockets) }

var _ sampler.Recycler = (*Poller)(nil)

// recycleFree hands the buffers nobody holds to a source that reuses
// them. It runs in the poller's goroutine, just before a full sample (a
// check's, or a sample's). A paced consumer's table kept for its next
// build (see popReserve) is let go instead: the sample makes a whole
// table, and the one kept would sit idle through it beside the one shown,
// a third whole table (see checkDue). Handed to the source it could stay
// idle there too: the netns source keeps a table that is not one of its
// namespaces' as the spare its copies fill, which the dump of one big
// namespace does not use. Let go and noted (sampler.NoteLetGo), it is
// collected before the check's table is made (sampler.NoteMaking); the
// first build after the check is made in the table the consumer hands
// back as it takes the check's.
func (p *Poller) recycleFree() {
	paced := p.paced()
	for {
		f := p.refs.popFree()
		switch {
		case f.buf == nil:
			return
		case paced && f.own:
			sampler.NoteLetGo(cap(f.buf) * socketBytes)
		default:
			p.giveSource(f.buf)
		}
	}
}

func (p *Poller) giveSource(s []sampler.Socket) {
	if r := p.caps.recycler; r != nil {
		r.Recycle(s)
	}
}

// keepFree takes back buf, a free buffer of the poller's own that a tick
// popped and did not fill: a paced consumer's next table is built in it
// (see popReserve); else it goes to the source.
func (p *Poller) keepFree(buf []sampler.Socket, paced bool) {
	if paced && p.refs.putFree(buf) {
		return
	}
	p.giveSource(buf)
}

// popReserve is popFree for a tick. For a paced consumer (the live view)
// it returns the biggest free table the poller built itself, and hands
// every other free buffer to the source: a table the source made (a
// check's) goes back to it as ever (the netns source still holds it as a
// member's last read, and fills it again at the next check); a second
// table of the poller's own would be one more idle beside the one shown.
// Handed to the source at every tick as before, the tables the poller
// built were let go (the netns source keeps no whole table between
// checks) or kept idle as the source's spare, and each take's next table
// was made anew: 250 MB allocated in 30 s at ~110k sockets.
func (p *Poller) popReserve(paced bool) []sampler.Socket {
	if !paced {
		return p.refs.popFree().buf
	}
	var buf []sampler.Socket
	for {
		f := p.refs.popFree()
		switch {
		case f.buf == nil:
			return buf
		case f.own && cap(f.buf) > cap(buf):
			if buf != nil {
				p.giveSource(buf)
			}
			buf = f.buf
		default:
			p.giveSource(f.buf)
		}
	}
}
