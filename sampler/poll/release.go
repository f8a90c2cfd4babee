package poll

import (
	"slices"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Release reconciles one socket the kernel reported released, at rel.At
// (now when unset), with base and the releases before it, and returns the
// events it makes, in a buffer the next call reuses: a close, a change to
// TIME_WAIT, or for a socket no sample saw, its open and close.
func (r *Reconciler) Release(now time.Time, rel sampler.Release) []sampler.Event {
	r.released = r.release(now, rel, r.released[:0])
	return r.released
}

// release is Release appending to events.
func (r *Reconciler) release(now time.Time, rel sampler.Release, events []sampler.Event) []sampler.Event {
	at := rel.At
	if at.IsZero() {
		at = now
	}
	id := releaseKey(rel.Socket.ID)
	r.touch(id)
	lingers := livesOn(rel.Socket.State)

	// The table's socket: base as earlier releases (and transitions) left it.
	s, gone, ok := r.current(id)
	if gone {
		r.vanished.take(&rel.Socket) // its release came: stop waiting for it
		return events
	}
	if ok {
		r.audit.endHandshake(s.ID, rel.Socket.State)
		if lingers {
			if !sampler.TCPCanReach(s.State, rel.Socket.State) {
				// Already there, or further on (a sample saw TIME_WAIT
				// after the kernel was asked in FIN_WAIT2), or a state
				// TCP could not have taken it to: the samples tell.
				return events
			}
			prev := s.State
			// A timewait socket has no process: its pid is its last owner's.
			s.State, s.Inode, s.Owner = rel.Socket.State, 0, s.Owner.Released()
			s.TimeWaitEnds = rel.Socket.TimeWaitEnds
			r.setAdjust(id, adjustment{socket: s})
			r.twTimer(&s)
			if s.State == sampler.StateTimeWait {
				r.adjust.markTimeWait(id)
			}
			return append(events, sampler.Event{Kind: sampler.StateChanged, Time: at, Socket: s, PrevState: prev})
		}
		r.setAdjust(id, adjustment{gone: true})
		r.recent.add(id, at, true)
		return append(events, sampler.Event{Kind: sampler.Closed, Time: at, Socket: s, Held: sampler.Held(s.Since, at)})
	}
	if r.recent.has(id) {
		// A sample, or an earlier release, has reported it gone; vanished
		// need not wait for its release any more.
		r.vanished.take(&rel.Socket)
		return events
	}
	if r.vanished.take(&rel.Socket) {
		return events // a sample reported it gone long ago (see vanished)
	}

	// Never seen: it lived and died (or went to TIME_WAIT) between samples,
	// unless the query kept it out of the samples. (Its states in between are
	// unknown, so only protocols and ports are checked.) One without a local
	// port was never bound: no port was handed out, so there is nothing to
	// report (a program probing for IPv6 support makes such sockets).
	if rel.Socket.Local.Port() == 0 || !r.query.MatchesAddrs(&rel.Socket) {
		return events
	}
	s = rel.Socket
	if s.Since.IsZero() || s.Since.Time().After(at) {
		s.Since = sampler.StampOf(at)
	}
	// Before the first sample every socket is one that was there before
	// porttop looked: existing, as the first sample's are, and not counted.
	existing := !r.sampled
	if !existing {
		r.audit.countReported(&s)
	}
	events = r.closeReplaced(&s, at, events)
	events = append(events, sampler.Event{Kind: sampler.Opened, Time: at, Socket: s, SeenAtEnd: true, Existing: existing})
	if lingers {
		// Still in the table: the next sample will show it, and must not
		// open it again. (Bounded, should samples keep failing.)
		if r.adjust.len() < recentGoneLimit {
			r.setAdjust(id, adjustment{socket: s})
			r.twTimer(&s)
			if s.State == sampler.StateTimeWait {
				r.adjust.markTimeWait(id)
			}
		}
		return events
	}
	r.recent.add(id, at, true)
	return append(events, sampler.Event{Kind: sampler.Closed, Time: at, Socket: s, Held: at.Sub(s.Since.Time()), SeenAtEnd: true})
}

// inBase finds the socket with release key id in the last sample, indexing it on first use.
func (r *Reconciler) inBase(id sampler.ID) (sampler.Socket, bool) {
	if !r.baseIndex.built {
		r.baseIndex.build(r.base.Sockets)
	}
	i, ok := r.baseIndex.find(r.base.Sockets, id)
	if !ok {
		return sampler.Socket{}, false
	}
	return r.base.Sockets[i], true
}

// patchForDiff is base as releases have left it, as a patch the diff
// reads base through (sampler.Patch): the released sockets dropped, the
// TIME_WAIT changes applied, the unseen TIME_WAIT sockets added. Base,
// which the consumer may be reading, is neither written nor copied (a
// copy was 25 MB at 100k sockets); the patch costs 4 bytes a row and the
// adjusted sockets.
func (r *Reconciler) patchForDiff() sampler.Patch {
	if r.adjust.len() == 0 {
		return sampler.Patch{}
	}
	if !r.baseIndex.built {
		r.baseIndex.build(r.base.Sockets)
	}
	if r.baseIndex.dups {
		return r.patchForDiffByRow()
	}
	// One lookup per adjustment, none per row.
	rows := r.diffScratch.rows(len(r.base.Sockets))
	replaced, added := r.diffScratch.replaced[:0], r.diffScratch.added[:0]
	for id, row := range r.adjust.rows() {
		i, ok := r.baseIndex.find(r.base.Sockets, id)
		switch {
		case ok && row == nil:
			rows[i] = -1
		case ok:
			replaced = append(replaced, row)
			rows[i] = int32(len(replaced))
		case row != nil:
			added = append(added, row)
		}
	}
	return r.diffScratch.keep(rows, replaced, added)
}

// patchForDiffByRow is patchForDiff for a base with duplicate rows, each of
// which the adjustment applies to: one lookup per row.
func (r *Reconciler) patchForDiffByRow() sampler.Patch {
	rows := r.diffScratch.rows(len(r.base.Sockets))
	replaced, added := r.diffScratch.replaced[:0], r.diffScratch.added[:0]
	inBase := 0
	for i := range r.base.Sockets {
		row, ok := r.adjust.row(releaseKey(r.base.Sockets[i].ID))
		switch {
		case !ok:
		case row != nil:
			replaced = append(replaced, row)
			rows[i] = int32(len(replaced))
			inBase++
		default:
			rows[i] = -1
			inBase++
		}
	}
	if inBase < r.adjust.len() {
		for id, row := range r.adjust.rows() {
			if _, ok := r.inBase(id); !ok && row != nil {
				added = append(added, row)
			}
		}
	}
	return r.diffScratch.keep(rows, replaced, added)
}

// prevForDiff is base as releases have left it (what patchForDiff gives
// the diff), copied into one slice for readers that want it so; the diff
// itself reads base through the patch, without the copy. The copy's
// memory is kept for the next call.
func (r *Reconciler) prevForDiff() sampler.Snapshot {
	if r.adjust.len() == 0 {
		return r.base
	}
	r.diffScratch.copied = r.tableInto(r.diffScratch.copied[:0])
	return sampler.Snapshot{Time: r.base.Time, Sockets: r.diffScratch.copied}
}

// tableInto appends to dst (empty) base as releases (and transitions) have
// left it: base read through patchForDiff.
func (r *Reconciler) tableInto(dst []sampler.Socket) []sampler.Socket {
	return r.tablePatched(r.patchForDiff(), dst)
}

// tablePatched is tableInto with patchForDiff's patch p.
func (r *Reconciler) tablePatched(p sampler.Patch, dst []sampler.Socket) []sampler.Socket {
	if p.Rows == nil && p.Added == nil {
		return append(dst, r.base.Sockets...)
	}
	for i := range r.base.Sockets {
		switch k := p.Rows[i]; {
		case k == 0:
			dst = append(dst, r.base.Sockets[i])
		case k > 0:
			dst = append(dst, *p.Replaced[k-1])
		}
	}
	for _, s := range p.Added {
		dst = append(dst, *s)
	}
	return dst
}

// patchScratch is the memory patchForDiff reuses from one sample to the
// next: the row marks always (4 bytes a row), the lists of adjusted
// sockets (8 bytes each: they point into the adjustments' slab) while
// they are not many (releases pile up when samples fail).
type patchScratch struct {
	marks    []int32
	replaced []*sampler.Socket
	added    []*sampler.Socket
	copied   []sampler.Socket // prevForDiff's
}

// maxPatchScratch bounds the adjusted sockets a patchScratch keeps: a
// check's ~40k under the ebpf source (10 s at 2,000 connections a
// second) in 512 KB, rather than made again at each check.
const maxPatchScratch = 1 << 16

// rows returns n zeroed row marks.
func (p *patchScratch) rows(n int) []int32 {
	p.marks = slices.Grow(p.marks[:0], n)[:n]
	clear(p.marks)
	return p.marks
}

// keep makes the patch and keeps its buffers for the next one.
func (p *patchScratch) keep(rows []int32, replaced, added []*sampler.Socket) sampler.Patch {
	p.replaced, p.added = nil, nil
	if cap(replaced) <= maxPatchScratch {
		p.replaced = replaced[:0]
	}
	if cap(added) <= maxPatchScratch {
		p.added = added[:0]
	}
	return sampler.Patch{Rows: rows, Replaced: replaced, Added: added}
}

// setAdjust records what a step did to the socket with release key key
// (see adjustment): the table has changed since the last Tick.
func (r *Reconciler) setAdjust(key sampler.ID, a adjustment) {
	r.adjust.set(key, a)
	r.dirty = true
	if key.Proto == sampler.UDP {
		r.udpAdjusted[key] = struct{}{}
	}
}

// dropReopened undoes the opens of sockets a release said were gone: the
// sample was read before the release reached the poller. They are dropped
// from the events and from next. Only the (few) opens are looked up.
func (r *Reconciler) dropReopened(events []sampler.Event, next *sampler.Snapshot) []sampler.Event {
	var stale map[sampler.ID]bool
	kept := events[:0]
	for _, e := range events {
		if key := releaseKey(e.Socket.ID); e.Kind == sampler.Opened && r.recent.released(key) {
			if stale == nil {
				stale = map[sampler.ID]bool{}
			}
			stale[key] = true
			continue
		}
		kept = append(kept, e)
	}
	if stale != nil {
		next.Sockets = slices.DeleteFunc(next.Sockets, func(s sampler.Socket) bool { return stale[releaseKey(s.ID)] })
	}
	return kept
}

// livesOn tells the states a release gives a TCP socket the kernel freed
// for a timewait socket that keeps its port: TIME_WAIT, or FIN_WAIT2 when it
// was orphaned before its peer's FIN came (see sampler.ReleaseWatcher).
func livesOn(st sampler.State) bool {
	return st == sampler.StateTimeWait || st == sampler.StateFinWait2
}

// releaseKey is how a release is matched to a sampled socket: by the kernel's
// cookie when there is one, because the kernel may report a socket's
// addresses already cleared at release (a connection reset by SO_LINGER 0
// comes back as 0.0.0.0:port with no remote port); by the full ID otherwise.
func releaseKey(id sampler.ID) sampler.ID {
	if id.Cookie != 0 {
		return sampler.ID{Cookie: id.Cookie, Proto: id.Proto}
	}
	return id
}
