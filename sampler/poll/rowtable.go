package poll

import "math/bits"

// rowTable maps nonzero 8-byte keys (cookies, address hashes) to rows: an
// open-addressing table with linear probing, its keys and rows in two
// slices (12 bytes a slot) filled to at most 4/5, reused from one
// build to the next. A Go map[uint64]int32 took 16 bytes a slot plus its
// control words, at a load between 7/16 and 7/8 (it doubles): 2-4 MB at
// 100k sockets where this is 1.5 MB (sampler/MEMORY.md).
type rowTable struct {
	keys []uint64 // 0: an empty slot
	rows []int32
	n    int // keys held
}

// A table holds at most 4/5 of its slots.
const rowTableLoadNum, rowTableLoadDen = 4, 5

// slotsFor is the number of slots for n keys at a load of 4/5.
func slotsFor(n int) int { return n*rowTableLoadDen/rowTableLoadNum + 1 }

// reset empties t to hold about n keys. Its slices are reused unless they
// are too small, far too big (more than 4 times what n needs, so that a
// table that shrank gives its memory back), or fresh is set (they are
// lent: see baseIndex.lend).
func (t *rowTable) reset(n int, fresh bool) {
	size := max(slotsFor(n), 8)
	if c := cap(t.keys); fresh || c < size || (c > 4*size && c > 1024) {
		t.keys, t.rows = make([]uint64, size), make([]int32, size)
	} else {
		t.keys, t.rows = t.keys[:c], t.rows[:c]
		clear(t.keys)
	}
	t.n = 0
}

// home is key's first slot: the high bits of a mixed key times the number
// of slots (any number of slots, not only powers of two).
func (t *rowTable) home(key uint64) int {
	key ^= key >> 33 // murmur3's finalizer: cookies count up
	key *= 0xff51afd7ed558ccd
	key ^= key >> 33
	hi, _ := bits.Mul64(key, uint64(len(t.keys)))
	return int(hi)
}

// next is the slot after i, wrapping around.
func (t *rowTable) next(i int) int {
	if i++; i == len(t.keys) {
		return 0
	}
	return i
}

// put makes key find row and reports whether key was there already (the
// row it found is replaced). Key must not be 0.
func (t *rowTable) put(key uint64, row int32) (dup bool) {
	if (t.n+1)*rowTableLoadDen > len(t.keys)*rowTableLoadNum {
		t.grow()
	}
	i := t.home(key)
	for t.keys[i] != 0 && t.keys[i] != key {
		i = t.next(i)
	}
	dup = t.keys[i] == key
	if !dup {
		t.n++
	}
	t.keys[i], t.rows[i] = key, row
	return dup
}

// grow doubles t's slots, keeping what it holds.
func (t *rowTable) grow() {
	keys, rows := t.keys, t.rows
	t.keys, t.rows, t.n = make([]uint64, max(2*len(keys), 8)), make([]int32, max(2*len(keys), 8)), 0
	for i, k := range keys {
		if k != 0 {
			t.put(k, rows[i])
		}
	}
}

// slot is key's slot, if t holds it.
func (t *rowTable) slot(key uint64) (int, bool) {
	if len(t.keys) == 0 || key == 0 {
		return 0, false
	}
	for i := t.home(key); t.keys[i] != 0; i = t.next(i) {
		if t.keys[i] == key {
			return i, true
		}
	}
	return 0, false
}

// get is the row key finds.
func (t *rowTable) get(key uint64) (int32, bool) {
	i, ok := t.slot(key)
	if !ok {
		return 0, false
	}
	return t.rows[i], true
}

// remove drops key, moving back the keys probed past its slot so that
// every key stays reachable from its home (no tombstones).
func (t *rowTable) remove(key uint64) {
	hole, ok := t.slot(key)
	if !ok {
		return
	}
	t.n--
	for j := t.next(hole); t.keys[j] != 0; j = t.next(j) {
		// The key at j stays if its home is cyclically in (hole, j].
		if h := t.home(t.keys[j]); (hole < j && hole < h && h <= j) || (hole > j && (hole < h || h <= j)) {
			continue
		}
		t.keys[hole], t.rows[hole] = t.keys[j], t.rows[j]
		hole = j
	}
	t.keys[hole] = 0
}

// bytes is the memory t holds.
func (t *rowTable) bytes() int { return cap(t.keys)*8 + cap(t.rows)*4 }
