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
	// GoneFor and OwnNetns are the table's Options, Lingering its closed
	// sockets still on show (a map never written): see PrepareBatch.
	GoneFor   time.Duration
	OwnNetns  uint64
	Lingering lingerSet
}

// Settings are the table's order and filter now.
func (m Model) Settings() Settings {
	return Settings{Sort: m.sort, Match: m.match, Filter: m.filterGen, GoneFor: m.opts.GoneFor, OwnNetns: m.opts.OwnNetns, Lingering: m.lingering}
}

// Prepared is a snapshot's rows, filtered and sorted for some Settings:
// the table's costly part of a batch, done before the batch reaches the
// UI goroutine. It is never written after Prepare returns it.
type Prepared struct {
	rows    []row
	ranks   *procRanks
	set     Settings
	sockets []sampler.Socket
	// merged: made by PrepareBatch, the rows hold the lingering closed
	// sockets (lingering) and the snapshot's places are found.
	merged    bool
	lingering lingerSet
	places    places
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
	out := p.sortLocked(rows, s)
	out.sockets = sockets
	return out
}

// sortLocked sorts rows for s, merging them into the order of the last
// rows it sorted; p.mu is held.
func (p *Preparer) sortLocked(rows []row, s Settings) *Prepared {
	ranks := processRanks(rows)
	prev := p.prev
	if p.prevSet.Sort != s.Sort || p.prevSet.Filter != s.Filter {
		prev = nil
	}
	rows = resortRows(s.Sort, ranks, &p.scratch, rows, prev)
	p.prev, p.prevSet = rows, Settings{Sort: s.Sort, Filter: s.Filter}
	return &Prepared{rows: rows, ranks: ranks, set: s}
}

// PrepareBatch is Prepare for a batch the table takes with its events, at
// now: the closed sockets that linger are found here as the table finds
// them (Observe), from those it had when s was taken (s.Lingering), and
// merged into the rows, so that ObservePrepared takes the rows, the
// lingering sockets and the places as they are, with no pass over the
// table on the UI goroutine.
func (p *Preparer) PrepareBatch(sockets []sampler.Socket, events []sampler.Event, now time.Time, s Settings) *Prepared {
	p.mu.Lock()
	defer p.mu.Unlock()
	goneFor := s.GoneFor
	if goneFor == 0 {
		goneFor = DefaultGoneFor
	}
	ling := nextLingering(s.Lingering, events, now, goneFor)
	rows := make([]row, 0, len(sockets)+ling.len())
	for i := range sockets {
		sk := &sockets[i]
		if s.Match != nil && !s.Match(sk) {
			continue
		}
		if ling.len() > 0 {
			if _, gone := ling.get(sk.ID); gone {
				continue // its lingering row stands for it (see Rebuild)
			}
		}
		rows = append(rows, rowOf(sk, false))
	}
	ling.all(func(l *lingering) {
		if s.Match == nil || s.Match(&l.s) {
			rows = append(rows, rowOf(&l.s, true))
		}
	})
	out := p.sortLocked(rows, s)
	out.sockets, out.merged, out.lingering = sockets, true, ling
	out.places = placesOf(sockets, s.OwnNetns)
	return out
}

// nextLingering is old after events at now, as observeMarks changes the
// table's: an open ends a socket's lingering, a close starts it, for
// goneFor; then those whose time is up go, and those past maxLingering.
// old is never written: a change makes a new map.
func nextLingering(old lingerSet, events []sampler.Event, now time.Time, goneFor time.Duration) lingerSet {
	cur, copied := old, false
	write := func() {
		if !copied {
			cur, copied = old.clone(), true
		}
	}
	for i := range events {
		e := &events[i]
		switch e.Kind {
		case sampler.Opened:
			if _, ok := cur.get(e.Socket.ID); ok {
				write()
				cur.del(e.Socket.ID)
			}
		case sampler.Closed:
			write()
			cur.put(&lingering{s: e.Socket, held: e.Held, until: now.Add(goneFor)})
		}
	}
	if cur.anyDue(now) {
		cur = cur.keep(now) // a new set: old is never written
	}
	return cur.bounded(maxLingering)
}

// ObservePrepared is Observe with the snapshot's rows already made by
// Prepare: what is left is the highlights, the lingering closed rows
// merged in, and the cursor. Rows prepared under another filter, or for
// other sockets, are not used (Observe does it all). Rows prepared in
// another order are shown as they are, the order on screen found as
// SortLater does, until rows in the table's order come.
func (m *Model) ObservePrepared(p *Prepared, sockets []sampler.Socket, events []sampler.Event, now time.Time) {
	if p == nil || p.set.Filter != m.filterGen || !sampler.SameRows(p.sockets, sockets) {
		m.Observe(sockets, events, now)
		return
	}
	if p.merged {
		// The rows, the lingering sockets and the places are p's; the
		// rows are copied before they are written (ownRows). Lingering
		// sockets whose time ran out since p was made go with the next
		// Expire (the display clock's), not here: that costs a pass.
		m.sockets, m.places = sockets, p.places
		m.lingering = p.lingering
		m.observeFresh(events, now)
		m.setRows(p.rows, p.set.Sort, p.ranks, true)
		return
	}
	m.observeMarks(sockets, events, now)
	ling := make([]row, 0, m.lingering.len())
	m.lingering.all(func(l *lingering) {
		if m.match == nil || m.match(&l.s) {
			ling = append(ling, rowOf(&l.s, true))
		}
	})
	k := p.set.Sort
	setKeys(ling, p.ranks)
	cmp := compareRows(k)
	slices.SortFunc(ling, cmp)
	gone := func(r row) bool {
		if m.lingering.len() == 0 {
			return false
		}
		_, ok := m.lingering.get(r.s.ID)
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
	m.setRows(rows, k, p.ranks, false)
}
