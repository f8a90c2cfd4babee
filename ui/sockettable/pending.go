package sockettable

import "slices"

// pending answers a new sort key at once, without sorting the table: the
// rows stay in the order they were in (rowsSort), and the rows on screen
// in the new order are found by partial selection, in time proportional
// to the table, never to its sort, and without reading a socket: every
// row holds its keys for every order. A whole order in the new key comes
// with the next batch's rows (see Prepared), which SortLater's caller asks
// for.
//
// It is a pointer inside the Model, like the row cache, so that View (a
// value receiver) can fill it.
type pending struct {
	on bool // rows are not in the wanted order
	// idx is the rows' places, in selection's order, when valid (made
	// when a window is asked for after the rows changed).
	idx   []int32
	valid bool
	// win is ranks [off, off+len(win)) of the wanted order.
	win []row
	off int
}

// invalidate forgets what was found: the rows changed. on says whether
// they are still not in the wanted order.
func (p *pending) invalidate(on bool) {
	p.on, p.valid, p.win, p.off = on, false, nil, 0
	if !on {
		p.idx = nil // its memory goes with the order
	}
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
	p := m.placed()
	if i < p.off || i >= p.off+len(p.win) {
		h := max(m.visibleRows(), 1)
		lo := max(min(i-h, len(m.rows)-3*h), 0)
		hi := min(lo+3*h, len(m.rows))
		rows, cmp := m.rows, compareRows(m.sort)
		selectRange(p.idx, lo, hi, func(a, b int32) int { return cmp(rows[a], rows[b]) })
		p.win = p.win[:0:0]
		for _, j := range p.idx[lo:hi] {
			p.win = append(p.win, rows[j])
		}
		p.off = lo
	}
	return p.win[i-p.off]
}

// placed makes sure idx holds every row's place.
func (m Model) placed() *pending {
	p := m.pend
	if !p.valid || len(p.idx) != len(m.rows) {
		p.idx = slices.Grow(p.idx[:0], len(m.rows))[:len(m.rows)]
		for i := range p.idx {
			p.idx[i] = int32(i)
		}
		p.valid, p.win, p.off = true, nil, 0
	}
	return p
}

// rankOf is the place in the wanted order of rows[i]: how many rows come
// before it.
func (m Model) rankOf(i int) int {
	cmp := compareRows(m.sort)
	r := m.rows[i]
	n := 0
	for j := range m.rows {
		if cmp(m.rows[j], r) < 0 {
			n++
		}
	}
	return n
}

// selectRange puts into rs[lo:hi] the elements of ranks lo to hi-1 in
// cmp's order, sorted; the rest are left on their side of them.
func selectRange[T any](rs []T, lo, hi int, cmp func(a, b T) int) {
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
func nth[T any](rs []T, a, b, k int, cmp func(a, b T) int) {
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
