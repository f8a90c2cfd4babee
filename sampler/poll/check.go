package poll

import (
	"slices"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Between full samples an event-kept table (see eventtable.go) moves on by
// ticks and is checked now and then against a full sample.
//
// A check is a full sample taken while the table is kept by events. The
// kernel changes the table while its dump runs, and the transitions of
// those changes reach the reconciler after the dump: every socket a
// transition or release touches from BeginCheck on is marked, and the check
// takes the table's view of it (the events are newer than the dump's row,
// or the dump missed what they did). Every other difference between the
// check and the table is one the events should have told and did not, unless
// events cannot tell it (see expectedAtCheck): it is counted
// (CheckDisagreements, in Batch.Disagreements, a header note) and the
// check's row is taken, with the event a sample would have made for it (an
// open, a close, a state change TCP can make; a state change it cannot
// make is taken with no event, so the stream never shows one). So a check
// never merges silently: what it corrects is counted and shown.

// BeginCheck says a check's dump begins: until Check, the sockets events
// touch are marked (see touch). counted: the differences it finds are
// disagreements; false when events are known to be missing (the kernel
// dropped records), when the check only re-bases the table: its
// differences are reported as a sample's, not counted.
func (r *Reconciler) BeginCheck(counted bool) {
	r.checking, r.checkCounted = true, counted
	r.touched.reset()
}

// AbortCheck says the check's sample failed: nothing is marked any more.
func (r *Reconciler) AbortCheck() {
	r.endKept()
	r.checking = false
	r.touched.reset()
}

// touch marks the socket with release key key while a check's dump runs.
// Bounded: past the limit a socket is not marked, and a difference the
// check finds for it is counted.
func (r *Reconciler) touch(key sampler.ID) {
	if r.checking && r.touched.len() < recentGoneLimit {
		r.touched.add(key)
	}
}

// Check reconciles a check's full sample (its dump begun at BeginCheck) with
// the table as events kept it, and makes it the new base; see above.
func (r *Reconciler) Check(now time.Time, next *sampler.Snapshot, read Reading) []sampler.Event {
	r.endKept() // a filter lent (BeginKept) whose source sampled whole
	r.checking = false
	opened := r.resolvePending(next, true, nil)
	if r.touched.len() > 0 {
		r.keepTouched(next)
		r.touched.reset()
	}
	events := r.sample(now, next, read, true)
	if len(opened) == 0 {
		return events
	}
	return append(opened, events...)
}

// keepTouched puts in next, for every socket events touched during the
// check's dump, the table's row instead of the dump's (none if the table
// has none).
func (r *Reconciler) keepTouched(next *sampler.Snapshot) {
	next.Sockets = slices.DeleteFunc(next.Sockets, func(s sampler.Socket) bool {
		return r.touched.has(releaseKey(s.ID))
	})
	if !r.baseIndex.built {
		r.baseIndex.build(r.base.Sockets)
	}
	if r.baseIndex.dups { // a key on several rows: each of them
		prev := r.prevForDiff()
		for i := range prev.Sockets {
			if r.touched.has(releaseKey(prev.Sockets[i].ID)) {
				next.Sockets = append(next.Sockets, prev.Sockets[i])
			}
		}
		return
	}
	// One lookup per touched socket, not a copy of the table (a check's
	// 10 s of churn leaves tens of thousands of sockets adjusted).
	for key := range r.touched.all() {
		if s, _, ok := r.current(key); ok {
			next.Sockets = append(next.Sockets, s)
		}
	}
}

// judgeCheck counts the check's events that events should have told, and
// drops the state changes TCP cannot make (the row is taken all the same).
func (r *Reconciler) judgeCheck(events []sampler.Event) []sampler.Event {
	kept := events[:0]
	for _, e := range events {
		if expectedAtCheck(&e) {
			kept = append(kept, e)
			continue
		}
		if r.checkCounted {
			r.checkDisagreements++
		}
		if e.Kind == sampler.StateChanged && !sampler.TCPCanReach(e.PrevState, e.Socket.State) {
			continue
		}
		kept = append(kept, e)
	}
	return kept
}

// expectedAtCheck tells the differences a check finds that no event could
// have told: UDP (sampled apart); the server's half of a handshake in
// progress (a request socket, which makes no transition); a socket bound
// but never connected (CLOSE: binding makes no transition); a timewait
// socket's end or its FIN_WAIT2 turning TIME_WAIT (a timewait socket
// makes no transition, and its timer's end may come before the table's
// expiry by timer).
func expectedAtCheck(e *sampler.Event) bool {
	s := &e.Socket
	switch {
	case s.Proto != sampler.TCP:
		return true
	case e.Kind == sampler.StateChanged:
		return e.PrevState == sampler.StateFinWait2 && s.State == sampler.StateTimeWait && s.Inode == 0
	case inHandshake(s), s.State == sampler.StateClose:
		return true
	case e.Kind == sampler.Closed:
		return s.State == sampler.StateTimeWait || s.State == sampler.StateFinWait2 && s.Inode == 0
	}
	return false
}

// CheckDisagreements counts the differences checks found between the
// kernel's table and the table events kept (see Check).
func (r *Reconciler) CheckDisagreements() uint64 { return r.checkDisagreements }

// Tick moves an event-kept table on without a full sample, at now: the
// TIME_WAIT sockets whose kernel timer has run out close (ExpireTimeWait);
// udp, when not nil, is a sample of the UDP sockets alone, against which
// the table's UDP sockets open and close as a sample would report them;
// and when anything changed since the last Tick (a transition, a release,
// these) and table is true, the table as it stands now is built in buf
// (reused when big enough) and returned with changed true (with table
// false, it is built at a later Tick). It becomes the base only once
// the changes since the base are many (rebaseAt), so that a busy table is
// not indexed again at every tick, or always (SetTablesAsBase). The
// caller must not write to table,
// nor to udp afterwards.
func (r *Reconciler) Tick(now time.Time, udp *sampler.Snapshot, buf []sampler.Socket, build bool) (events []sampler.Event, table sampler.Snapshot, changed bool) {
	r.recent.expire(now)
	events = r.ExpireTimeWait(now, events)
	if udp != nil {
		if udp.Time.IsZero() {
			udp.Time = now
		}
		udp.Sockets = slices.DeleteFunc(udp.Sockets, func(s sampler.Socket) bool { return s.Proto != sampler.UDP })
		events = append(events, r.diffUDP(udp)...)
	}
	if !r.dirty || !build {
		return events, r.base, false
	}
	r.dirty = false
	patch := r.patchForDiff()
	rows := buf[:0]
	if want := patchedLen(patch, len(r.base.Sockets)); cap(rows) < want || cap(rows) > want+want/4+64 {
		rows = make([]sampler.Socket, 0, want+want/16+16)
	}
	table = sampler.Snapshot{Time: now, Sockets: r.tablePatched(patch, rows)}
	if r.tablesAsBase || r.adjust.len() >= rebaseAt {
		r.rebase(table)
	}
	return events, table, true
}

// patchedLen is how many rows a base of n rows holds read through p.
// A table is built in as much room and a little more (a sixteenth: the
// next build's table may hold a few more sockets, and is built in the
// same memory when the consumer hands it back); one left with more than a
// quarter to spare is let go. Sized by the base and every adjusted socket
// (gone, changed or new) with an eighth more, as before, the live view's
// tables had 25-33% of room unused under BIG=1's churn (~140k rows for
// ~110k sockets): 5-6 MB in each of the two tables alive.
func patchedLen(p sampler.Patch, n int) int {
	if p.Rows != nil {
		for _, k := range p.Rows {
			if k < 0 {
				n--
			}
		}
	}
	return n + len(p.Added)
}

// SetTablesAsBase says whether every table Tick builds becomes the base,
// however few sockets changed since the last (see rebaseAt). A consumer
// that keeps the table it was handed (the live view, between two of its
// batches) then holds the base itself rather than a copy of it beside the
// base: one table less alive, at the cost of indexing each table handed
// out again, which a consumer taking a table every second or two makes
// cheap beside the table's own copy.
func (r *Reconciler) SetTablesAsBase(on bool) { r.tablesAsBase = on }

// rebaseAt is how many sockets may differ from the base before Tick makes
// its table the base: each re-base indexes the whole table again (on the
// order of a millisecond for 20,000 sockets) while patching the base costs
// a lookup per changed socket.
const rebaseAt = 4096

// rebase makes next the base, with nothing adjusted since.
func (r *Reconciler) rebase(next sampler.Snapshot) {
	r.base = next
	r.baseIndex.built = false
	r.listen.built = false
	r.udpBuilt = false
	r.adjust.clear()
	clear(r.udpAdjusted)
}

// diffUDP reports what changed among the table's UDP sockets against udp,
// a sample of the UDP sockets alone, as Sample would, and changes the
// table so.
func (r *Reconciler) diffUDP(udp *sampler.Snapshot) []sampler.Event {
	old := r.udpRows(r.udpScratch[:0])
	r.udpScratch = old
	events := r.differ.Diff(sampler.Snapshot{Time: r.base.Time, Sockets: old}, udp)
	events = r.dropReopened(events, udp)
	for i := range events {
		key := releaseKey(events[i].Socket.ID)
		switch events[i].Kind {
		case sampler.Opened:
			r.audit.countReported(&events[i].Socket)
			r.setAdjust(key, adjustment{socket: events[i].Socket})
		case sampler.Closed:
			r.recent.add(key, udp.Time, false)
			r.setAdjust(key, adjustment{gone: true})
		}
	}
	return events
}

// udpRows appends the table's UDP sockets to dst. The base's are found by
// an index built once per base: a tick looks at them alone.
func (r *Reconciler) udpRows(dst []sampler.Socket) []sampler.Socket {
	if !r.udpBuilt {
		r.udpIdx = r.udpIdx[:0]
		for i := range r.base.Sockets {
			if r.base.Sockets[i].Proto == sampler.UDP {
				r.udpIdx = append(r.udpIdx, int32(i))
			}
		}
		r.udpBuilt = true
	}
	for _, i := range r.udpIdx {
		s := &r.base.Sockets[i]
		if a, ok := r.adjust.get(releaseKey(s.ID)); ok {
			if !a.gone {
				dst = append(dst, a.socket)
			}
			continue
		}
		dst = append(dst, *s)
	}
	for key := range r.udpAdjusted {
		if a, _ := r.adjust.get(key); !a.gone {
			if _, ok := r.inBase(key); !ok {
				dst = append(dst, a.socket)
			}
		}
	}
	return dst
}

// ExpireTimeWait closes, at the kernel timer's end (Socket.TimeWaitEnds),
// the TIME_WAIT sockets of the table whose timer has run out by now: no
// event tells of it. A timewait socket in FIN_WAIT2 is left to samples (a
// FIN turns it to TIME_WAIT with a new timer, and no event tells that
// either). The next check confirms: a socket it still holds is dropped from
// it, as one a release reported gone (see dropReopened). The timers run
// out in order from a queue (twTimers); sockets without a cookie, if any,
// by a scan of the table once the earliest of theirs has run out.
func (r *Reconciler) ExpireTimeWait(now time.Time, events []sampler.Event) []sampler.Event {
	if !r.twq.built {
		r.buildTimers()
	}
	limit := sampler.StampOf(now)
	for {
		t, ok := r.twq.next()
		if !ok || t.ends > limit {
			break
		}
		r.twq.pop()
		s, ok := r.twSocket(sampler.ID{Cookie: t.cookie, Proto: sampler.TCP})
		if ok && s.State == sampler.StateTimeWait && s.TimeWaitEnds == t.ends {
			events = r.expire(&s, events)
		}
	}
	if r.twNoCookie && !now.Before(r.twNext) {
		events = r.expireUncookied(now, events)
	}
	return events
}

// expire closes s, in TIME_WAIT, at its timer's end.
func (r *Reconciler) expire(s *sampler.Socket, events []sampler.Event) []sampler.Event {
	ends := s.TimeWaitEnds.Time()
	key := releaseKey(s.ID)
	r.setAdjust(key, adjustment{gone: true})
	r.recent.add(key, ends, true)
	r.adjust.forgetTimeWait(addressesOf(s.ID))
	return append(events, sampler.Event{Kind: sampler.Closed, Time: ends, Socket: *s, Held: sampler.Held(s.Since, ends)})
}

// twSocket is the table's socket with release key key, if any.
func (r *Reconciler) twSocket(key sampler.ID) (sampler.Socket, bool) {
	if a, ok := r.adjust.get(key); ok {
		return a.socket, !a.gone
	}
	return r.inBase(key)
}

// buildTimers queues the timers of the table's TIME_WAIT sockets: the
// base's, once it came from a sample (its dump's sockets; a base a tick
// built is the table whose timers are queued already), and the adjusted.
func (r *Reconciler) buildTimers() {
	r.twq.reset()
	r.twNoCookie, r.twNext = false, farFuture
	for i := range r.base.Sockets {
		r.queueTimer(&r.base.Sockets[i], false)
	}
	for _, a := range r.adjust.all() {
		if !a.gone {
			r.queueTimer(&a.socket, false)
		}
	}
	r.twq.heapify()
	r.twq.built = true
}

// twTimer tells ExpireTimeWait of a TIME_WAIT socket put in the table.
func (r *Reconciler) twTimer(s *sampler.Socket) {
	if r.twq.built {
		r.queueTimer(s, true)
	}
}

// queueTimer queues s's timer if it is in TIME_WAIT with one, ordered
// at once or (ordered false) by the heapify to come.
func (r *Reconciler) queueTimer(s *sampler.Socket, ordered bool) {
	if s.State != sampler.StateTimeWait || s.TimeWaitEnds.IsZero() {
		return
	}
	if s.Cookie == 0 {
		r.twNoCookie = true
		if ends := s.TimeWaitEnds.Time(); ends.Before(r.twNext) {
			r.twNext = ends
		}
		return
	}
	t := twTimer{ends: s.TimeWaitEnds, cookie: s.Cookie}
	if ordered {
		r.twq.push(t)
	} else {
		r.twq.add(t)
	}
}

// expireUncookied closes the TIME_WAIT sockets without a cookie whose
// timer has run out, by a scan of the table, and finds the earliest of
// the others.
func (r *Reconciler) expireUncookied(now time.Time, events []sampler.Event) []sampler.Event {
	next := farFuture
	consider := func(s *sampler.Socket) {
		if s.Cookie != 0 || s.State != sampler.StateTimeWait || s.TimeWaitEnds.IsZero() {
			return
		}
		if ends := s.TimeWaitEnds.Time(); now.Before(ends) {
			if ends.Before(next) {
				next = ends
			}
			return
		}
		events = r.expire(s, events)
	}
	for _, a := range r.adjust.all() {
		if !a.gone {
			consider(&a.socket)
		}
	}
	for i := range r.base.Sockets {
		s := &r.base.Sockets[i]
		if s.Cookie != 0 || s.State != sampler.StateTimeWait {
			continue
		}
		if _, ok := r.adjust.get(releaseKey(s.ID)); !ok {
			consider(s)
		}
	}
	r.twNext = next
	return events
}

// farFuture is a time no timer reaches.
var farFuture = time.Unix(1<<62, 0)
