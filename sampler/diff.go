package sampler

import (
	"cmp"
	"slices"
	"time"
)

// Differ turns successive snapshots into events. It keeps its index and
// scratch space between calls so that a steady table costs no allocation
// beyond the events themselves. A Differ is not safe for concurrent use.
type Differ struct {
	// index maps an ID to its position in prev (>= 0) or, for a socket new in
	// next, to -1-position in next, so a duplicate row in next is seen once.
	index map[ID]int32
	// byCookie is index keyed by the kernel's cookie, used when every socket
	// has one: hashing 8 bytes rather than the 80 of an ID.
	byCookie map[uint64]int32
	// cookieRoom is the most entries byCookie held since it was made: a
	// map keeps its room when cleared (see diffByCookie).
	cookieRoom int
	// lent indexes what DiffIndexed's lent index does not: the patch's
	// added rows, next's new ones.
	lent    map[uint64]int32
	matched []bool
	closes  []Event
	changes []Event
	opens   []Event
}

// Diff compares next against prev and returns what happened between them, at
// next.Time: closes, then state changes, then opens, each sorted by local
// port then ID. It stamps next.Sockets[i].Since (carried over from prev, or
// next.Time for a new socket) and carries PID, Process and UID over from prev
// when next lacks them, since attribution can arrive late or go missing.
// Rows repeating an ID already seen in the same snapshot count once.
func (d *Differ) Diff(prev Snapshot, next *Snapshot) []Event {
	return d.DiffPatched(prev, Patch{}, next)
}

// Patch is what happened to a snapshot's rows since it was taken, applied
// by DiffPatched as it reads them: a holder of a big table that learns of a
// few changes between samples (releases, kernel transitions) diffs against
// the table as changed without copying it (25 MB at 100k sockets). The
// changed rows are where the holder keeps them, by pointer, not copied:
// under the ebpf source a check finds ~40k sockets changed since the last
// (10 s at 2,000 connections a second), 6.7 MB of copies while the
// check's two tables were alive. Nothing may write to them during the diff.
type Patch struct {
	// Rows, when not nil, has one entry per row of the snapshot: 0 keeps
	// the row, -1 drops it, k > 0 reads *Replaced[k-1] in its place.
	Rows     []int32
	Replaced []*Socket
	// Added are rows read after the snapshot's own.
	Added []*Socket
}

// DiffPatched is Diff against prev as patch changes it; prev itself is
// only read.
func (d *Differ) DiffPatched(prev Snapshot, patch Patch, next *Snapshot) []Event {
	v := prevRows{time: prev.Time, base: prev.Sockets, rows: patch.Rows, replaced: patch.Replaced, added: patch.Added}
	if v.rows != nil && len(v.rows) != len(v.base) {
		panic("sampler: Patch.Rows does not match the snapshot")
	}
	if v.len() == 0 && cap(d.opens) < len(next.Sockets) {
		// The first diff opens every socket: room for all at once, not
		// by doubling (at 100k sockets each doubling is 30 MB more).
		d.opens = make([]Event, 0, len(next.Sockets))
	}
	if !d.diffByCookie(&v, next) {
		d.diffByID(&v, next)
	}
	return d.collect()
}

// CookieRows finds a snapshot's own rows (not a Patch's added ones) by
// the kernel's cookie. A holder that keeps such an index beside its table
// (the poller's base) lends it to DiffIndexed, which then makes none of
// its own for the table: under the ebpf source a check diffs a whole
// table every 10 s, and the Differ made an index of it each time (2.7 MB
// at 100k sockets) while the check's two tables were alive.
type CookieRows interface {
	// RowOf is the row with cookie, if any. The lender promises every
	// row has a cookie and no cookie is on two rows.
	RowOf(cookie uint64) (int32, bool)
}

// DiffIndexed is DiffPatched with prev's own rows found through rows, an
// index of prev.Sockets by cookie (see CookieRows): the Differ indexes
// only the patch's added rows and next's new ones. The result is
// DiffPatched's; when a socket has no cookie, or one cookie comes with two
// IDs, it falls back to DiffPatched's own indexes.
func (d *Differ) DiffIndexed(prev Snapshot, patch Patch, next *Snapshot, rows CookieRows) []Event {
	v := prevRows{time: prev.Time, base: prev.Sockets, rows: patch.Rows, replaced: patch.Replaced, added: patch.Added}
	if v.rows != nil && len(v.rows) != len(v.base) {
		panic("sampler: Patch.Rows does not match the snapshot")
	}
	if !d.diffLent(&v, next, rows) && !d.diffByCookie(&v, next) {
		d.diffByID(&v, next)
	}
	return d.collect()
}

// diffLent is diffByCookie with prev's own rows found through idx; the
// few others (the patch's added rows, next's new ones) in a map of the
// Differ's, made at the added rows' count and kept between diffs while
// small (a check under churn adds the ~20k sockets events opened since
// the last: a map grown by inserts was 1 MB, kept until the next check).
func (d *Differ) diffLent(prev *prevRows, next *Snapshot, idx CookieRows) bool {
	if d.lent == nil || len(prev.added) > shrinkIndexFrom {
		d.lent = make(map[uint64]int32, len(prev.added)+16)
	}
	few := d.lent
	clear(few)
	defer func() {
		if len(few) > shrinkIndexFrom {
			d.lent = nil
		}
	}()
	d.reset(prev)
	nb := len(prev.base)
	// inBase is prev's own row with cookie c, if the patch kept it; stale
	// when the index points at a row of another cookie (then the general
	// diff, which trusts no index but its own; so too when a row the index
	// lacks shows up new in next: see the closes below).
	inBase := func(c uint64) (at int32, ok, stale bool) {
		at, ok = idx.RowOf(c)
		if !ok {
			return 0, false, false
		}
		if at < 0 || int(at) >= nb || prev.base[at].Cookie != c {
			return 0, false, true
		}
		return at, prev.at(int(at)) != nil, false
	}
	for j, p := range prev.added {
		if p.Cookie == 0 {
			return false
		}
		if at, dup := few[p.Cookie]; dup {
			if prev.at(int(at)).ID != p.ID {
				return false
			}
			continue
		}
		if _, ok, stale := inBase(p.Cookie); ok || stale {
			return false // on a row of prev and an added one: the general diff
		}
		few[p.Cookie] = int32(nb + j)
	}
	for i := range next.Sockets {
		s := &next.Sockets[i]
		if s.Cookie == 0 {
			return false
		}
		at, ok := few[s.Cookie]
		if !ok {
			var stale bool
			if at, ok, stale = inBase(s.Cookie); stale {
				return false
			}
		}
		if !ok {
			few[s.Cookie] = -1 - int32(i)
		}
		if !d.matchRow(prev, next, i, at, ok) {
			return false
		}
	}
	for i := range prev.len() {
		p := prev.at(i)
		if p == nil || d.matched[i] {
			continue
		}
		at, inFew := few[p.Cookie]
		switch {
		case i < nb && inFew && at < 0:
			return false // a row the index lacks, found new in next: stale
		case i < nb || at == int32(i):
			d.closed(prev, next, i)
		}
	}
	return true
}

// prevRows is the previous table as a diff reads it: a snapshot's rows as
// a Patch changes them, then the patch's added rows.
type prevRows struct {
	time     time.Time
	base     []Socket
	rows     []int32
	replaced []*Socket
	added    []*Socket
}

func (p *prevRows) len() int { return len(p.base) + len(p.added) }

// at is row i, nil when the patch dropped it.
func (p *prevRows) at(i int) *Socket {
	if i >= len(p.base) {
		return p.added[i-len(p.base)]
	}
	if p.rows != nil {
		if k := p.rows[i]; k < 0 {
			return nil
		} else if k > 0 {
			return p.replaced[k-1]
		}
	}
	return &p.base[i]
}

// collect returns the events found, in order.
func (d *Differ) collect() []Event {
	n := len(d.closes) + len(d.changes) + len(d.opens)
	if n == 0 {
		return nil
	}
	groups := []*[]Event{&d.closes, &d.changes, &d.opens}
	for _, g := range groups {
		slices.SortFunc(*g, compareEvents)
		if len(*g) == n && cap(*g) > maxScratchEvents {
			// One big group (the first diff's opens): handed out as it
			// is, not copied; the scratch starts afresh.
			events := *g
			*g = nil
			return events
		}
	}
	events := make([]Event, 0, n)
	for _, g := range groups {
		events = append(events, *g...)
	}
	// The first diff opens every socket on the machine: at 55k sockets its
	// scratch held 10.7 MB of events for good. Later diffs need a
	// second's churn.
	for _, g := range []*[]Event{&d.closes, &d.changes, &d.opens} {
		if cap(*g) > maxScratchEvents {
			*g = nil
		}
	}
	return events
}

// maxScratchEvents bounds the event scratch a Differ keeps between diffs.
const maxScratchEvents = 4096

// shrinkIndexFrom is the least room of a Differ's index that is made
// again for diffs a quarter its size.
const shrinkIndexFrom = 4096

// reset empties the scratch space for a diff of prev.
func (d *Differ) reset(prev *prevRows) {
	n := prev.len()
	d.matched = slices.Grow(d.matched[:0], n)[:n]
	clear(d.matched)
	d.closes, d.changes, d.opens = d.closes[:0], d.changes[:0], d.opens[:0]
}

// diffByID is the general diff, keyed by the whole ID.
func (d *Differ) diffByID(prev *prevRows, next *Snapshot) {
	n := prev.len()
	if d.index == nil {
		d.index = make(map[ID]int32, n)
	}
	clear(d.index)
	d.reset(prev)
	for i := range n {
		p := prev.at(i)
		if p == nil {
			continue
		}
		if _, dup := d.index[p.ID]; !dup {
			d.index[p.ID] = int32(i)
		}
	}
	for i := range next.Sockets {
		s := &next.Sockets[i]
		at, ok := d.index[s.ID]
		switch {
		case !ok:
			d.index[s.ID] = -1 - int32(i)
			d.opened(next, i)
		case at < 0: // a second row for a socket new in next
			s.Since = next.Sockets[-1-at].Since
		default:
			d.same(prev, next, at, i)
		}
	}
	for i := range n {
		if p := prev.at(i); p != nil && !d.matched[i] && d.index[p.ID] == int32(i) { // not a duplicate row
			d.closed(prev, next, i)
		}
	}
}

// diffByCookie is diffByID keyed by cookie, with the same result. It gives
// up, reporting false, when a socket has no cookie or one cookie comes with
// two IDs (a socket whose addresses changed: that is a close and an open).
func (d *Differ) diffByCookie(prev *prevRows, next *Snapshot) bool {
	n := prev.len()
	// Made at the size of the diff (the first, whose prev is empty, at
	// next's), and made again when diffs became much smaller than its
	// room: under the ebpf source a check's whole table is diffed every
	// 10 s and the UDP sockets alone between, and the room the check left
	// (3 MB at 100k sockets) was kept for them.
	if want := max(n, len(next.Sockets)); d.byCookie == nil || d.cookieRoom > shrinkIndexFrom && 4*want < d.cookieRoom {
		d.byCookie, d.cookieRoom = make(map[uint64]int32, want), want
	}
	clear(d.byCookie)
	defer func() { d.cookieRoom = max(d.cookieRoom, len(d.byCookie)) }()
	d.reset(prev)
	for i := range n {
		p := prev.at(i)
		if p == nil {
			continue
		}
		if p.Cookie == 0 {
			return false
		}
		if at, dup := d.byCookie[p.Cookie]; dup {
			if prev.at(int(at)).ID != p.ID {
				return false
			}
			continue
		}
		d.byCookie[p.Cookie] = int32(i)
	}
	for i := range next.Sockets {
		s := &next.Sockets[i]
		if s.Cookie == 0 {
			return false
		}
		at, ok := d.byCookie[s.Cookie]
		if !ok {
			d.byCookie[s.Cookie] = -1 - int32(i)
		}
		if !d.matchRow(prev, next, i, at, ok) {
			return false
		}
	}
	for i := range n {
		if p := prev.at(i); p != nil && !d.matched[i] && d.byCookie[p.Cookie] == int32(i) {
			d.closed(prev, next, i)
		}
	}
	return true
}

// matchRow places next's row i by what an index by cookie said of its
// cookie: not found (ok false), an open; an earlier row of next (at < 0),
// the same socket read twice; else prev's row at. It returns false when a
// cookie names two IDs: the caller then diffs by ID.
func (d *Differ) matchRow(prev *prevRows, next *Snapshot, i int, at int32, ok bool) bool {
	s := &next.Sockets[i]
	switch {
	case !ok:
		d.opened(next, i)
	case at < 0:
		first := &next.Sockets[-1-at]
		if first.ID != s.ID {
			return false
		}
		s.Since = first.Since
	default:
		if prev.at(int(at)).ID != s.ID {
			return false
		}
		d.same(prev, next, at, i)
	}
	return true
}

func (d *Differ) opened(next *Snapshot, i int) {
	s := &next.Sockets[i]
	s.Since = StampOf(next.Time)
	d.opens = append(d.opens, Event{Kind: Opened, Time: next.Time, Socket: *s})
}

func (d *Differ) same(prev *prevRows, next *Snapshot, at int32, i int) {
	p, s := prev.at(int(at)), &next.Sockets[i]
	d.matched[at] = true
	carryOver(p, s, prev.time, next.Time)
	if p.State != s.State {
		d.changes = append(d.changes, Event{Kind: StateChanged, Time: next.Time, Socket: *s, PrevState: p.State})
	}
}

func (d *Differ) closed(prev *prevRows, next *Snapshot, i int) {
	p := prev.at(i)
	d.closes = append(d.closes, Event{Kind: Closed, Time: next.Time, Socket: *p, Held: Held(p.Since, next.Time)})
}

// Diff is the one-shot form of Differ.Diff.
func Diff(prev Snapshot, next *Snapshot) []Event {
	var d Differ
	return d.Diff(prev, next)
}

// carryOver fills what next inherits from the same socket in prev.
func carryOver(p, s *Socket, prevTime, nextTime time.Time) {
	switch {
	case !p.Since.IsZero():
		s.Since = p.Since
	case !prevTime.IsZero(): // prev was never stamped: first seen no later than then
		s.Since = StampOf(prevTime)
	default:
		s.Since = StampOf(nextTime)
	}
	s.Owner = s.Owner.Inherit(p.Owner, s.Inode != 0)
}

// Held is how long a socket first seen at since was in use at end; 0 when
// unknown or when the clock went backwards.
func Held(since Stamp, end time.Time) time.Duration {
	if since.IsZero() || end.Before(since.Time()) {
		return 0
	}
	return end.Sub(since.Time())
}

func compareEvents(a, b Event) int {
	return CompareIDs(a.Socket.ID, b.Socket.ID)
}

// CompareIDs orders IDs by local port, then protocol, local address, remote
// address and port, then cookie: the order events and tables are shown in.
func CompareIDs(a, b ID) int {
	if c := cmp.Compare(a.Local.Port(), b.Local.Port()); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Proto, b.Proto); c != 0 {
		return c
	}
	if c := a.Local.Addr().Compare(b.Local.Addr()); c != 0 {
		return c
	}
	if c := a.Remote.Compare(b.Remote); c != 0 {
		return c
	}
	return cmp.Compare(a.Cookie, b.Cookie)
}
