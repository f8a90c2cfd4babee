package sockettable

import (
	"slices"
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Settings are what a table's rows depend on besides the snapshot: its
// order and its filter. A Preparer makes rows for them off the UI
// goroutine; Model.Settings says what they are now.
type Settings struct {
	Sort  SortKey
	Match func(*sampler.Socket) bool
	// Filter counts the table's SetFilter calls: Match's generation.
	Filter uint64
}

// Settings are the table's order and filter now.
func (m Model) Settings() Settings {
	return Settings{Sort: m.sort, Match: m.match, Filter: m.filterGen}
}

// Prepared is a snapshot's rows, filtered and sorted for some Settings:
// the table's costly part of a batch, done before the batch reaches the
// UI goroutine. It is never written after Prepare returns it.
type Prepared struct {
	rows    []row
	ranks   *procRanks
	set     Settings
	sockets []sampler.Socket
}

// Preparer makes Prepared rows batch after batch, merging each into the
// order of the one before (see resortRows). Its methods may be called from
// any goroutine, one at a time.
type Preparer struct {
	mu      sync.Mutex
	prev    []row
	prevSet Settings
	scratch resortScratch
}

// Prepare filters and sorts sockets' rows for s. The rows point into
// sockets, which must stay unchanged while a table shows them.
func (p *Preparer) Prepare(sockets []sampler.Socket, s Settings) *Prepared {
	p.mu.Lock()
	defer p.mu.Unlock()
	rows := make([]row, 0, len(sockets))
	for i := range sockets {
		if s.Match != nil && !s.Match(&sockets[i]) {
			continue
		}
		rows = append(rows, rowOf(&sockets[i], false))
	}
	ranks := processRanks(rows)
	prev := p.prev
	if p.prevSet.Sort != s.Sort || p.prevSet.Filter != s.Filter {
		prev = nil
	}
	rows = resortRows(s.Sort, ranks, &p.scratch, rows, prev)
	p.prev, p.prevSet = rows, Settings{Sort: s.Sort, Filter: s.Filter}
	return &Prepared{rows: rows, ranks: ranks, set: s, sockets: sockets}
}

// ObservePrepared is Observe with the snapshot's rows already made by
// Prepare: what is left is the highlights, the lingering closed rows
// merged in, and the cursor. Rows prepared under another filter, or for
// other sockets, are not used (Observe does it all). Rows prepared in
// another order are shown as they are, the order on screen found as
// SortLater does, until rows in the table's order come.
func (m *Model) ObservePrepared(p *Prepared, sockets []sampler.Socket, events []sampler.Event, now time.Time) {
	if p == nil || p.set.Filter != m.filterGen || !sameSockets(p.sockets, sockets) {
		m.Observe(sockets, events, now)
		return
	}
	m.observeMarks(sockets, events, now)
	ling := make([]row, 0, len(m.lingering))
	for _, l := range m.lingering {
		if m.match != nil && !m.match(&l.s) {
			continue
		}
		ling = append(ling, rowOf(&l.s, true))
	}
	k := p.set.Sort
	setKeys(ling, p.ranks)
	cmp := compareRows(k)
	slices.SortFunc(ling, cmp)
	// Lingering sockets by cookie: a uint64 is quicker to look up for
	// each of 100k rows than a whole ID.
	byCookie := make(map[uint64]*lingering, len(m.lingering))
	for _, l := range m.lingering {
		if l.s.Cookie != 0 {
			byCookie[l.s.Cookie] = l
		}
	}
	gone := func(r row) bool {
		if len(m.lingering) == 0 {
			return false
		}
		if r.cookie != 0 {
			l, ok := byCookie[r.cookie]
			return ok && l.s.ID == r.s.ID
		}
		_, ok := m.lingering[r.s.ID]
		return ok
	}
	rows := make([]row, 0, len(p.rows)+len(ling))
	n := 0
	for _, r := range p.rows {
		if gone(r) {
			continue // its lingering row stands for it (see Rebuild)
		}
		for n < len(ling) && cmp(ling[n], r) < 0 {
			rows = append(rows, ling[n])
			n++
		}
		rows = append(rows, r)
	}
	rows = append(rows, ling[n:]...)
	m.setRows(rows, k, p.ranks)
}

// sameSockets reports whether a and b are the same slice.
func sameSockets(a, b []sampler.Socket) bool {
	if len(a) != len(b) {
		return false
	}
	return len(a) == 0 || &a[0] == &b[0]
}
