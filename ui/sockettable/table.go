// Package sockettable is the live socket table: one row per socket, coloured
// by the local port's IANA range, new rows marked `+` for a few seconds and
// closed rows lingering dimmed with `-`. It renders only the rows on screen
// and caches each rendered row by its content, so a table of 100k sockets
// costs, per batch, a sort of the rows that changed merged into the kept
// order (resort), and a screenful of rendering per frame: a highlight's
// expiry only redraws, a lingering row's removes it in place (on a big
// table, with the next batch), neither re-sorts.
//
// The per-batch sort can be done off the UI goroutine: a Preparer makes a
// snapshot's rows for the table's Settings, the lingering closed rows
// merged in (PrepareBatch), and ObservePrepared takes them as they are. A
// new sort key need not sort either: SortLater finds the rows on screen,
// and the cursor's place, by partial selection until rows in the new
// order come (see pending).
package sockettable

import (
	"slices"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/style"
)

// Mark is a row's transient highlight.
type Mark uint8

const (
	Plain Mark = iota
	Fresh      // opened a moment ago: `+`, bold
	Gone       // closed a moment ago: `-`, dimmed
)

// Glyph is the mark's sign in the gutter, which is what carries the meaning
// when there is no colour.
func (m Mark) Glyph() string {
	switch m {
	case Fresh:
		return "+"
	case Gone:
		return "-"
	}
	return " "
}

// EphemeralGlyph marks a local port inside the OS ephemeral range ("e" for
// ephemeral; the map uses "*" for a fresh hand-out, so not that).
const EphemeralGlyph = "e"

// CursorGlyph marks the cursor row for terminals without reverse video.
const CursorGlyph = ">"

// Default highlight lifetimes.
const (
	DefaultFreshFor = 3 * time.Second
	DefaultGoneFor  = 4 * time.Second
)

// Options configure a table.
type Options struct {
	Styles    style.Styles
	Ephemeral ports.Range
	// OwnNetns is porttop's network namespace's inode (0: unknown; the
	// namespace with the most sockets is taken for it), not labelled in
	// the NS/WORKLOAD column.
	OwnNetns uint64
	FreshFor time.Duration // 0: DefaultFreshFor
	GoneFor  time.Duration // 0: DefaultGoneFor
}

// row is one line of the table. Its mark is not kept here but looked up
// when the row is on screen (markOf), so that highlights can expire without
// touching the rows.
// A row is 56 bytes (TestRowSize): a table of 100k sockets holds one or
// two arrays of them.
type row struct {
	s      *sampler.Socket
	cookie uint64   // s.Cookie, read where s may be stale (see resortRows)
	keys   sortKeys // see keysOf; keys.gone: a lingering closed socket
}

func rowOf(s *sampler.Socket, gone bool) row {
	return row{s: s, cookie: s.Cookie, keys: sortKeys{gone: gone}}
}

// gone reports whether r is a lingering closed socket.
func (r *row) gone() bool { return r.keys.gone }

// Model is the table's state. It is a value with maps inside: copy it only
// as bubbletea does, by replacing the old one.
type Model struct {
	opts Options
	// others are the other network namespaces' ranges, by inode
	// (SetNetnsRanges); a new map each time, never written.
	others map[uint64]ports.Range
	width  int
	height int
	sort   SortKey
	match  func(*sampler.Socket) bool

	sockets []sampler.Socket // the last snapshot, unfiltered
	rows    []row            // filtered, sorted by rowsSort: what the table shows
	// rowsSort is the order rows are in. When it is not sort (SortLater),
	// pend finds the rows on screen in sort's order without sorting them.
	rowsSort SortKey
	ranks    *procRanks // the process ranks rows' keys were made with
	pend     *pending
	// filterGen counts SetFilter calls: a Prepared made under another
	// filter is not taken.
	filterGen uint64
	fresh     freshSet
	// lingering is never written: a change makes a new map, so that a
	// Preparer may read it from another goroutine (Settings) and a
	// Prepared's may be taken as it is. Rows point into it.
	lingering lingerSet
	// rowsShared: rows are a Prepared's, which its Preparer reads from
	// another goroutine; copied before the table writes them (ownRows).
	rowsShared bool

	cursor, offset int
	selected       sampler.ID
	hasSelected    bool
	// ownersHidden: the source cannot see other users' processes.
	ownersHidden bool
	// places says whether NS/WORKLOAD shows (see placesOf).
	places places

	cache   *rowCache
	scratch *resortScratch
	keys    KeyMap
	// focused and now are how View draws (Focus, SetNow).
	focused bool
	now     time.Time
}

// New makes an empty table.
func New(opts Options) Model {
	if opts.FreshFor == 0 {
		opts.FreshFor = DefaultFreshFor
	}
	if opts.GoneFor == 0 {
		opts.GoneFor = DefaultGoneFor
	}
	return Model{
		opts:    opts,
		fresh:   newFreshSet(),
		cache:   newRowCache(),
		scratch: &resortScratch{},
		pend:    &pending{},
		keys:    DefaultKeyMap(),
	}
}

// SetSize sets the table's area, column header included.
func (m *Model) SetSize(width, height int) {
	if width != m.width {
		m.cache.reset()
	}
	m.width, m.height = width, height
	m.scrollToCursor()
}

// SetFilter narrows the rows; nil shows everything. Call Rebuild after.
func (m *Model) SetFilter(match func(*sampler.Socket) bool) {
	m.match = match
	m.filterGen++
}

// Sort is the current order.
func (m Model) Sort() SortKey { return m.sort }

// SetSort changes the order, keeping the cursor on the same socket. It
// sorts the rows whole; SortLater is the cheap way.
func (m *Model) SetSort(k SortKey) {
	m.sort = k
	m.sortRows()
	m.followSelection()
}

// Len is the number of rows shown (lingering ones included).
func (m Model) Len() int { return len(m.rows) }

// Observe takes a new snapshot and the events that led to it, then rebuilds
// the rows. Opened events (except the first sample's existing sockets) mark
// rows fresh; Closed events keep their socket lingering for a while.
func (m *Model) Observe(sockets []sampler.Socket, events []sampler.Event, now time.Time) {
	m.observeMarks(sockets, events, now)
	m.Rebuild()
}

// observeMarks takes the snapshot and its events' highlights and lingering
// rows in, without making rows.
func (m *Model) observeMarks(sockets []sampler.Socket, events []sampler.Event, now time.Time) {
	m.sockets = sockets
	m.places = placesOf(sockets, m.opts.OwnNetns)
	m.ObserveEvents(events, now)
}

// ObserveEvents takes in events whose table comes later (a paced live
// view takes the events between its tables): their highlights and
// lingering sockets, as Observe does, without making rows; the next
// table's rows (Rebuild, a Preparer given Settings) show them.
func (m *Model) ObserveEvents(events []sampler.Event, now time.Time) {
	if len(events) > 0 {
		m.lingering = m.lingering.clone()
	}
	for i := range events {
		e := &events[i]
		switch e.Kind {
		case sampler.Opened:
			m.lingering.del(e.Socket.ID)
			if !e.Existing {
				m.fresh.set(e.Socket.ID, now.Add(m.opts.FreshFor))
			}
		case sampler.Closed:
			m.fresh.del(e.Socket.ID)
			m.lingering.put(&lingering{s: e.Socket, held: e.Held, until: now.Add(m.opts.GoneFor)})
		}
	}
	m.expire(now)
	m.lingering = m.lingering.bounded(maxLingering)
}

// observeFresh is observeMarks's part for the highlights of new rows, for
// a batch whose lingering rows were found by a Preparer.
func (m *Model) observeFresh(events []sampler.Event, now time.Time) {
	for i := range events {
		e := &events[i]
		switch e.Kind {
		case sampler.Opened:
			if !e.Existing {
				m.fresh.set(e.Socket.ID, now.Add(m.opts.FreshFor))
			}
		case sampler.Closed:
			m.fresh.del(e.Socket.ID)
		}
	}
	m.expireFresh(now)
}

// ownRows makes the rows the table's own to write.
func (m *Model) ownRows() {
	if m.rowsShared {
		m.rows, m.rowsShared = slices.Clone(m.rows), false
	}
}

// Expire drops highlights and lingering rows whose time is up, reporting
// whether the table changed. It never re-sorts: an expired highlight only
// changes how its row is drawn, and an expired lingering row is cut out of
// the sorted rows in place.
//
// On a big table whose rows are a Prepared's, an expired lingering row is
// left for the next batch to leave out (its rows are made without it, at
// no extra cost) until it is cutOverdue late: cutting it here would copy
// the whole table (the Preparer reads those rows), every display tick
// under churn, for a row that goes within a batch anyway.
func (m *Model) Expire(now time.Time) bool {
	fresh := m.expireFresh(now)
	at := now
	if m.rowsShared && len(m.rows) > cutAtOnce {
		at = now.Add(-cutOverdue)
	}
	gone := m.expireLingering(at)
	if gone {
		m.dropExpired()
	}
	return fresh || gone
}

// A table of more than cutAtOnce rows shared with its Preparer keeps an
// expired lingering row until the next batch, or until cutOverdue after
// its time (no batch came: paused sampling, a replay that ended). Below,
// the cut's copy is small.
const (
	cutAtOnce  = 8192
	cutOverdue = 3 * time.Second
)

// expire forgets highlights and lingering sockets whose time is up,
// reporting which kinds changed.
func (m *Model) expire(now time.Time) (fresh, gone bool) {
	return m.expireFresh(now), m.expireLingering(now)
}

// expireFresh forgets the highlights whose time is up, reporting whether
// there were any.
func (m *Model) expireFresh(now time.Time) (fresh bool) {
	return m.fresh.expire(now)
}

// expireLingering forgets the lingering sockets whose time is up (in a
// new map), reporting whether there were any.
func (m *Model) expireLingering(now time.Time) (gone bool) {
	if !m.lingering.anyDue(now) {
		return false
	}
	m.lingering = m.lingering.keep(now)
	return true
}

// dropExpired removes the lingering rows whose socket expire forgot,
// keeping the others in their sorted order.
func (m *Model) dropExpired() {
	m.rows = m.keepLingering(m.rows)
	m.pend.invalidate(m.pend.on)
	m.followSelection()
}

// keepLingering drops, in place, the lingering rows expire forgot.
func (m *Model) keepLingering(rows []row) []row {
	var out []row
	if m.rowsShared { // a Prepared's: the cut rows go to a new array
		out, m.rowsShared = make([]row, 0, len(rows)), false
	} else {
		out = rows[:0]
	}
	for _, r := range rows {
		if r.gone() {
			if _, ok := m.lingering.get(r.s.ID); !ok {
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// markOf is how row r is highlighted at now.
func (m Model) markOf(r row, now time.Time) Mark {
	if r.gone() {
		return Gone
	}
	if m.fresh.len() > 0 {
		if m.fresh.on(r.s.ID, now) {
			return Fresh
		}
	}
	return Plain
}

// Rebuild refilters and resorts the rows from the last snapshot. The rows
// of sockets already shown keep their order (see resort), so a batch costs
// a sort of what changed and a merge, not a sort of the whole table.
func (m *Model) Rebuild() {
	prev := m.rows
	// A new array each batch: an older copy of the Model (bubbletea keeps
	// values) still shows its own rows, and prev's pointers into the old
	// snapshot go with it.
	rows := make([]row, 0, len(m.sockets)+m.lingering.len())
	for i := range m.sockets {
		s := &m.sockets[i]
		if m.match != nil && !m.match(s) {
			continue
		}
		if _, gone := m.lingering.get(s.ID); gone {
			// Released between samples: the kernel said so before the next
			// sample dropped it from the table. Its lingering row stands for it.
			continue
		}
		rows = append(rows, rowOf(s, false))
	}
	m.lingering.all(func(l *lingering) {
		if m.match == nil || m.match(&l.s) {
			rows = append(rows, rowOf(&l.s, true))
		}
	})
	if m.rowsSort != m.sort {
		prev = nil // in another order: nothing to merge into
	}
	ranks := processRanks(rows)
	m.setRows(resortRows(m.sort, ranks, m.scratch, rows, prev), m.sort, ranks, false)
}

// setRows puts rows, in k's order, on show.
// shared says whether rows are a Prepared's (see ownRows).
func (m *Model) setRows(rows []row, k SortKey, ranks *procRanks, shared bool) {
	m.rows, m.rowsSort, m.ranks, m.rowsShared = rows, k, ranks, shared
	m.pend.invalidate(m.rowsSort != m.sort)
	m.followSelection()
}

// sortRows sorts the rows whole (a new order). Their keys are there
// already: every row holds its keys for every order.
func (m *Model) sortRows() {
	m.ownRows()
	slices.SortFunc(m.rows, compareRows(m.sort))
	m.rowsSort = m.sort
	m.pend.invalidate(false)
}

// setKeys keys rows for every order, ranks ordering their processes.
func setKeys(rows []row, ranks *procRanks) {
	for i := range rows {
		gone := rows[i].keys.gone
		rows[i].keys = keysOf(rows[i].s, ranks)
		rows[i].keys.gone = gone
	}
}

func (m *Model) compareRows() func(a, b row) int { return compareRows(m.sort) }

func compareRows(k SortKey) func(a, b row) int {
	full := compareFor(k)
	return func(a, b row) int {
		if c := a.keys.compare(&b.keys, k); c != 0 {
			return c
		}
		return full(a.s, b.s)
	}
}

// Selected is the socket under the cursor.
func (m Model) Selected() (sampler.Socket, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return sampler.Socket{}, false
	}
	return *m.rowAt(m.cursor).s, true
}
