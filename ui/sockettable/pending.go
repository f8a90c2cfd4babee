package sockettable

import "slices"

// pending answers a new sort key at once, without sorting the table: the
// rows stay in the order they were in (rowsSort), and the rows on screen
// in the new order are found by partial selection, in time proportional
// to the table, never to its sort. A whole order in the new key comes with
// the next batch's rows (see Prepared), which SortLater's caller asks for.
//
// It is a pointer inside the Model, like the row cache, so that View (a
// value receiver) can fill it.
type pending struct {
	on bool // rows are not in the wanted order
	// keyed is rows with the wanted order's keys, in selection's order,
	// when valid (made when a window is asked for after the rows changed).
	keyed []row
	valid bool
	sort  SortKey
	ranks *procRanks // keyed's, by process
	// win is ranks [off, off+len(win)) of the wanted order.
	win []row
	off int
}

// invalidate forgets what was found: the rows changed. on says whether
// they are still not in the wanted order.
func (p *pending) invalidate(on bool) {
	p.on = on
	p.valid, p.win, p.off, p.ranks = false, nil, 0, nil
	if !on {
		p.keyed = nil // its memory goes with the order
	}
	clear(p.keyed) // no pointers into a snapshot no longer shown
	p.keyed = p.keyed[:0]
}

// SortLater changes the order as SetSort does, keeping the cursor on the
// same socket, but sorts nothing: until rows in the new order arrive
// (Observe, ObservePrepared, Rebuild), the rows on screen are selected from
// the table as it is. Its cost is a few passes over the table.
func (m *Model) SortLater(k SortKey) {
	if k == m.rowsSort {
		m.sort = k
		m.pend.invalidate(false)
		m.followSelection()
		return
	}
	m.sort = k
	m.pend.invalidate(true)
	m.followSelection()
}

// rowAt is the row of rank i in the table's order.
func (m Model) rowAt(i int) row {
	if !m.pend.on {
		return m.rows[i]
	}
	p := m.keyFor()
	if i < p.off || i >= p.off+len(p.win) {
		h := max(m.visibleRows(), 1)
		lo := max(min(i-h, len(m.rows)-3*h), 0)
		hi := min(lo+3*h, len(m.rows))
		selectRange(p.keyed, lo, hi, compareRows(m.sort))
		p.win = append(p.win[:0:0], p.keyed[lo:hi]...)
		p.off = lo
	}
	return p.win[i-p.off]
}

// key copies rows with k's keys.
func (p *pending) key(rows []row, k SortKey) {
	p.ranks = nil
	if k == ByProcess {
		p.ranks = processRanks(rows)
	}
	p.keyed = append(p.keyed[:0], rows...)
	setKeys(k, p.keyed, p.ranks)
	p.sort, p.valid = k, true
	p.win, p.off = nil, 0
}

// keyFor makes sure keyed is the rows with the wanted order's keys.
func (m Model) keyFor() *pending {
	p := m.pend
	if !p.valid || len(p.keyed) != len(m.rows) || p.sort != m.sort {
		p.key(m.rows, m.sort)
	}
	return p
}

// rankOf is the place in the wanted order of rows[i]: how many rows come
// before it.
func (m Model) rankOf(i int) int {
	p := m.keyFor()
	r := m.rows[i]
	r.keys = keysOf(m.sort, r.s, p.ranks)
	cmp := compareRows(m.sort)
	n := 0
	for j := range p.keyed {
		if cmp(p.keyed[j], r) < 0 {
			n++
		}
	}
	return n
}

// selectRange puts into rs[lo:hi] the rows of ranks lo to hi-1 in cmp's
// order, sorted; the rest are left on their side of them.
func selectRange(rs []row, lo, hi int, cmp func(a, b row) int) {
	if lo >= hi {
		return
	}
	nth(rs, 0, len(rs), lo, cmp)
	if hi-lo > 1 {
		nth(rs, lo+1, len(rs), hi-1, cmp)
	}
	slices.SortFunc(rs[lo:hi], cmp)
}

// nth moves into rs[k] the row a sort of rs[a:b] would put there, with
// no greater one before it and no smaller one after (quickselect).
func nth(rs []row, a, b, k int, cmp func(a, b row) int) {
	for b-a > 16 {
		mid := a + (b-a)/2
		// The median of three for the pivot: the table often comes in
		// another order already sorted.
		if cmp(rs[mid], rs[a]) < 0 {
			rs[mid], rs[a] = rs[a], rs[mid]
		}
		if cmp(rs[b-1], rs[mid]) < 0 {
			rs[b-1], rs[mid] = rs[mid], rs[b-1]
			if cmp(rs[mid], rs[a]) < 0 {
				rs[mid], rs[a] = rs[a], rs[mid]
			}
		}
		pivot := rs[mid]
		i, j := a, b-1
		for i <= j {
			for cmp(rs[i], pivot) < 0 {
				i++
			}
			for cmp(rs[j], pivot) > 0 {
				j--
			}
			if i <= j {
				rs[i], rs[j] = rs[j], rs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			b = j + 1
		case k >= i:
			a = i
		default:
			return
		}
	}
	slices.SortFunc(rs[a:b], cmp)
}
