package sockettable

import "slices"

// resortScratch is memory resort reuses from batch to batch. It is a
// pointer inside the Model, like the row cache.
type resortScratch struct {
	moved []int32 // places in rows of the rows that are new or whose keys changed
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
//
// What it makes is places, 4 bytes a row, not rows (80): the previous
// rows' places kept, the merged order, then rows permuted into it where
// they are. The index by cookie is made for the call and let go: kept
// between batches it held ~6 MB at 100k sockets for a moment's use.
func resortRows(k SortKey, ranks *procRanks, sc *resortScratch, rows, prev []row) []row {
	setKeys(rows, ranks)
	cmp := compareRows(k)
	if len(prev) == 0 {
		slices.SortFunc(rows, cmp)
		return rows
	}
	index, ok := indexCookies(prev)
	if !ok {
		slices.SortFunc(rows, cmp)
		return rows
	}
	// slots[j] is 1 + the place in rows of the row that keeps prev[j]'s
	// place, 0 for none.
	slots := make([]int32, len(prev))
	moved := sc.moved[:0]
	for i := range rows {
		r := &rows[i]
		j, ok := index[r.cookie]
		if ok && r.cookie != 0 && slots[j] == 0 {
			p := &prev[j]
			// The same cookie is the same socket; the same keys hold its
			// port, proto and addresses (IPv4 whole, IPv6 in part).
			if p.keys.same(&r.keys, k) && p.gone() == r.gone() {
				slots[j] = int32(i) + 1
				continue
			}
		}
		moved = append(moved, int32(i))
	}
	index = nil
	slices.SortFunc(moved, func(a, b int32) int { return cmp(rows[a], rows[b]) })
	// Merge the kept rows (in their old order) with the moved ones: the
	// place in rows of each row of the result, in order.
	order := make([]int32, 0, len(rows))
	n := 0
	for _, s := range slots {
		if s == 0 {
			continue
		}
		r := s - 1
		for n < len(moved) && cmp(rows[moved[n]], rows[r]) < 0 {
			order = append(order, moved[n])
			n++
		}
		order = append(order, r)
	}
	order = append(order, moved[n:]...)
	permute(rows, order)
	sc.moved = moved[:0]
	if cap(sc.moved) > 4*len(rows)+1024 {
		sc.moved = nil
	}
	return rows
}

// permute puts rows in order: the row at place order[i] goes to place i.
// order is a permutation of rows' places; it is written (each place done
// is marked -1). In place, a cycle at a time: one row aside, not a copy.
func permute(rows []row, order []int32) {
	for i := range order {
		if order[i] < 0 {
			continue
		}
		held := rows[i]
		j := i
		for {
			from := int(order[j])
			order[j] = -1
			if from == i {
				rows[j] = held
				break
			}
			rows[j] = rows[from]
			j = from
		}
	}
}

// indexCookies maps each row's cookie to its place, reporting false when
// a cookie is 0 or repeated (then it cannot say which row is which).
func indexCookies(prev []row) (map[uint64]int32, bool) {
	index := make(map[uint64]int32, len(prev))
	for i := range prev {
		c := prev[i].cookie
		if c == 0 {
			return nil, false
		}
		if _, dup := index[c]; dup {
			return nil, false
		}
		index[c] = int32(i)
	}
	return index, true
}
