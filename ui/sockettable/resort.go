package sockettable

import "slices"

// resortScratch is memory resort reuses from batch to batch. It is a
// pointer inside the Model, like the row cache.
type resortScratch struct {
	index map[uint64]int32 // socket cookie -> place in the previous rows
	moved []row            // rows that are new or whose keys changed
	big   int              // the most rows index was made for
}

// resort orders rows (unsorted, keys not yet set), given prev, the rows in
// order from the last batch. A row whose socket (same cookie and identity)
// was in prev with the same keys keeps its place relative to the others
// that did: the order depends only on the keys and, on ties, on the
// socket's identity. Only the rest are sorted, then the two runs merged.
// Without kernel cookies (0, or repeated: sources other than sock_diag)
// the rows are sorted whole. It reuses rows' array for the result. prev
// must be in k's order; only its keys, marks and cookies are read, never
// its sockets (their snapshot may have been handed back meanwhile).
func resortRows(k SortKey, ranks *procRanks, sc *resortScratch, rows, prev []row) []row {
	setKeys(rows, ranks)
	cmp := compareRows(k)
	if len(prev) == 0 || !sc.indexCookies(prev) {
		slices.SortFunc(rows, cmp)
		return rows
	}
	// The previous rows' places, kept or empty: a whole table's rows,
	// made each batch rather than kept from one to the next, where they
	// would hold as much memory as the rows shown, all the time, for a
	// moment's use.
	slots := make([]row, len(prev))
	moved := sc.moved[:0]
	for _, r := range rows {
		j, ok := sc.index[r.cookie]
		if ok && r.cookie != 0 && slots[j].s == nil {
			p := &prev[j]
			// The same cookie is the same socket; the same keys hold its
			// port, proto and addresses (IPv4 whole, IPv6 in part).
			if p.keys.same(&r.keys, k) && p.gone == r.gone {
				slots[j] = r
				continue
			}
		}
		moved = append(moved, r)
	}
	slices.SortFunc(moved, cmp)
	// Merge the kept rows (in their old order) with the moved ones into
	// rows, whose contents now all sit in slots and moved.
	out := rows[:0]
	n := 0
	for _, r := range slots {
		if r.s == nil {
			continue
		}
		for n < len(moved) && cmp(moved[n], r) < 0 {
			out = append(out, moved[n])
			n++
		}
		out = append(out, r)
	}
	out = append(out, moved[n:]...)
	clear(moved)
	sc.moved = moved[:0]
	if cap(sc.moved) > 4*len(out)+1024 {
		sc.moved = nil
	}
	return out
}

// indexCookies maps each row's cookie to its place, reporting false when
// a cookie is 0 or repeated (then it cannot say which row is which).
func (sc *resortScratch) indexCookies(prev []row) bool {
	if sc.index == nil || 4*len(prev)+1024 < sc.big {
		// A map never shrinks: after the table shrank, start a small one.
		sc.index, sc.big = make(map[uint64]int32, len(prev)), 0
	}
	sc.big = max(sc.big, len(prev))
	clear(sc.index)
	for i := range prev {
		c := prev[i].cookie
		if c == 0 {
			return false
		}
		if _, dup := sc.index[c]; dup {
			return false
		}
		sc.index[c] = int32(i)
	}
	return true
}
