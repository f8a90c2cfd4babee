package poll

import (
	"math/bits"
	"time"
	"unsafe"

	"github.com/porttop/porttop/sampler"
)

// A check whose dump leaves out the rows the table holds as they are
// (sampler.RowFilter): without it a check held a second whole table (17-20
// MB at 100k sockets) beside the base while its dump ran, diffed the two
// and made the check's the new base.
//
// The filter (checkFilter) runs in the check's goroutine as the dump reads
// each row: a row found in the base by cookie, the same socket in the same
// state (see sameRow), is left out and its base row marked seen; every
// other row is kept. The base is not written while the dump runs, and the
// index the filter reads is the base's own, lent (see baseIndex.lend). At
// the check (CheckKept) the rows seen are taken back into the check for
// the sockets events changed since the base (adjusted: the diff compares
// them with the table's row) or touched during the dump (keepTouched puts
// the table's row); the others are dropped from the diff's view of the
// base as from the check's: they make no event, as in the whole check,
// where they were the same socket in the same state. The rest goes as a
// whole check goes (keepTouched, the diff, judgeCheck, the reports), and
// the new base is the rows seen, kept where they are, and the check's:
// the base compacted in place when nobody else reads it (inPlace), else
// copied.
//
// What the whole check did that this one does not: a socket unchanged
// keeps the owner and the TIME_WAIT timer's end the base had (its owner is
// not looked for again: procowner's cache and the ebpf source's
// Attributor keep it; a timer's end read again moves by the dump's
// milliseconds). When an owner of the table may have exec'd or exited
// (procowner's OwnersDue), the source takes the whole check instead, and
// its owners are named again.

// checkFilter is a check's filter of its dump's rows (see above): made in
// the poller's goroutine at BeginCheck, run in the check's, read back by
// CheckKept once the dump is over.
type checkFilter struct {
	base  []sampler.Socket
	index rowTable // base by cookie: the base index's, lent
	seen  []uint64 // a bit a base row
}

// keep is the filter (sampler.RowFilter's keep): false for a row the base
// holds as it is, marked seen.
func (f *checkFilter) keep(s *sampler.Socket) bool {
	if s == nil { // the dump starts over
		clear(f.seen)
		return true
	}
	if s.Cookie == 0 {
		return true
	}
	i, ok := f.index.get(s.Cookie)
	if !ok || int(i) >= len(f.base) || !sameRow(&f.base[i], s) {
		return true
	}
	f.seen[i/64] |= 1 << (i % 64)
	return false
}

// has reports whether base row i was seen.
func (f *checkFilter) has(i int) bool { return f.seen[i/64]&(1<<(i%64)) != 0 }

// unsee clears base row i's mark.
func (f *checkFilter) unsee(i int) { f.seen[i/64] &^= 1 << (i % 64) }

// count is how many base rows were seen.
func (f *checkFilter) count() int {
	n := 0
	for _, w := range f.seen {
		n += bits.OnesCount64(w)
	}
	return n
}

// sameRow reports whether a dumped row s is base row b as the whole check
// would have left it: the same socket (ID, cookie included) in the same
// state, with the same inode and place; its owner named already when a
// file holds it (a check looks for the owners the base lacks), and its
// time stamped. A TIME_WAIT timer's end read again differs by the dump's
// milliseconds: within twSlack it is the same.
func sameRow(b, s *sampler.Socket) bool {
	return b.ID == s.ID && b.State == s.State && b.Inode == s.Inode && b.V6Only == s.V6Only &&
		b.Place == s.Place && (b.PID != 0 || b.Inode == 0) && !b.Since.IsZero() &&
		max(b.TimeWaitEnds-s.TimeWaitEnds, s.TimeWaitEnds-b.TimeWaitEnds) < twSlack
}

// twSlack is how far apart two reads of a TIME_WAIT timer's end may be
// and still be the same timer.
const twSlack = sampler.Stamp(time.Second)

// BeginKept is BeginCheck for a dump filtered by the returned function
// (sampler.RowFilter's keep); nil when the base cannot be lent for it
// (not every row has a cookie, or one is on two rows): then a whole
// check, BeginCheck's. The filter reads the base until CheckKept or
// AbortCheck, from the check's goroutine.
func (r *Reconciler) BeginKept(counted bool) func(*sampler.Socket) bool {
	r.BeginCheck(counted)
	if !r.baseIndex.built {
		r.baseIndex.build(r.base.Sockets)
	}
	if !r.baseIndex.lendable() || len(r.base.Sockets) == 0 {
		return nil
	}
	r.filter = &checkFilter{
		base:  r.base.Sockets,
		index: r.baseIndex.lend(),
		seen:  make([]uint64, (len(r.base.Sockets)+63)/64),
	}
	return r.filter.keep
}

// endKept ends the filter's loan of the base and its index.
func (r *Reconciler) endKept() *checkFilter {
	f := r.filter
	r.filter = nil
	r.baseIndex.lent = false
	return f
}

// CheckKept is Check for a sample filtered since BeginKept (its rows those
// that differ from the base). inPlace: nobody but the reconciler reads the
// base, so the new base is written over it. It returns the new base.
func (r *Reconciler) CheckKept(now time.Time, kept *sampler.Snapshot, read Reading, inPlace bool) ([]sampler.Event, sampler.Snapshot) {
	f := r.endKept()
	if f == nil || !sampler.SameRows(f.base, r.base.Sockets) {
		// Re-based while the dump ran: the whole check, the rows seen
		// read back from the base they were seen in.
		if f != nil {
			kept.Sockets = f.appendSeen(kept.Sockets)
		}
		return r.Check(now, kept, read), *kept
	}
	r.takeBackSeen(f, kept)
	r.checking = false
	opened := r.resolvePending(kept, true, nil)
	if r.touched.len() > 0 {
		r.keepTouched(kept)
		r.touched.reset()
	}
	events, first, before := r.reconcile(now, kept, read, true, f)
	table := sampler.Snapshot{Time: kept.Time, Sockets: f.merge(kept.Sockets, inPlace)}
	r.rebased(table, read, first, before)
	if len(opened) > 0 {
		events = append(opened, events...)
	}
	return events, table
}

// takeBackSeen puts in kept, as the dump read them, the rows seen of the
// sockets events changed since the base (adjusted), touched during the
// dump, or opened while their port was unknown (pending): unmarked, they
// are the base's no more than the whole check's were.
func (r *Reconciler) takeBackSeen(f *checkFilter, kept *sampler.Snapshot) {
	for w, word := range f.seen {
		for word != 0 {
			i := w*64 + bits.TrailingZeros64(word)
			word &= word - 1
			s := &f.base[i]
			key := releaseKey(s.ID)
			_, pending := r.pending[s.Cookie]
			switch {
			case r.touched.has(key):
				f.unsee(i) // keepTouched puts the table's row
			case r.adjust.has(key) || pending && s.Proto == sampler.TCP:
				f.unsee(i)
				kept.Sockets = append(kept.Sockets, *s)
			}
		}
	}
}

// appendSeen appends the rows seen to dst, as the dump read them.
func (f *checkFilter) appendSeen(dst []sampler.Socket) []sampler.Socket {
	for i := range f.base {
		if f.has(i) {
			dst = append(dst, f.base[i])
		}
	}
	return dst
}

// merge is the new base: the rows seen, where they are, then rows. In
// place, over the base, when it has the room; else in a new slice.
func (f *checkFilter) merge(rows []sampler.Socket, inPlace bool) []sampler.Socket {
	n := f.count() + len(rows)
	var out []sampler.Socket
	if inPlace && n <= cap(f.base) {
		out = f.base[:0] // row i moves to a row <= i: read before it is written
	} else {
		sampler.NoteMaking(n * socketBytes)
		out = make([]sampler.Socket, 0, n+n/8+16)
	}
	for w, word := range f.seen {
		for word != 0 {
			i := w*64 + bits.TrailingZeros64(word)
			word &= word - 1
			out = append(out, f.base[i])
		}
	}
	return append(out, rows...)
}

// socketBytes is the size of a row.
const socketBytes = int(unsafe.Sizeof(sampler.Socket{}))

// letGoOfTable makes the pending batch carry, in place of the table s, an
// empty one of its time (a consumer that reads no table between checks:
// see Config.TableEvery), and reports whether anyone else may read s
// still: a batch the consumer took and has not handed back, or the first
// sample's opens still to be made from it. Under the pending lock, so no
// batch carrying s is taken meanwhile.
func (p *pending) letGoOfTable(s []sampler.Socket) (read bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b := &p.batch; bufKey(b.Snapshot.Sockets) == bufKey(s) && bufKey(s) != nil {
		p.refs.drop(s)
		b.Snapshot = sampler.Snapshot{Time: b.Snapshot.Time}
	}
	return p.existing != nil || p.refs.consumerHolds(s)
}

// consumerHolds reports whether the consumer holds a batch carrying s.
func (r *snapRefs) consumerHolds(s []sampler.Socket) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.bufs[bufKey(s)]
	return e != nil && e.consumer > 0
}

// finishKept is finishCheck for a filtered check's sample (see
// CheckKept): the base is written over in place unless the consumer may
// read it still, and the batch carries an empty table of the check's time
// (the consumer reads none between checks: Config.TableEvery).
func (p *Poller) finishKept(res checkResult, old sampler.Snapshot, read Reading) {
	next := res.snap
	inPlace := !p.pending.letGoOfTable(old.Sockets)
	events, table := p.rec.CheckKept(p.now(), &next, read, inPlace)
	cost := time.Since(res.start)
	p.lastOK, p.lastCheck = true, p.lastSampled
	p.published(p.lastSampled)
	if bufKey(table.Sockets) != bufKey(old.Sockets) {
		p.refs.hold(table.Sockets)
		p.refs.drop(old.Sockets)
	}
	published := sampler.Snapshot{Time: table.Time}
	if bufKey(table.Sockets) == bufKey(next.Sockets) {
		published = table // re-based while the dump ran: a whole check's table
	} else {
		p.giveSource(next.Sockets) // its rows are the base's now
	}
	p.readSourceNotes()
	p.pending.add(p.update(update{snapshot: &published, events: events, sampled: true, cost: cost, interval: p.interval}))
}
