package sampler

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"
)

// DiffPatched against a snapshot and a patch finds exactly what Diff finds
// against the snapshot copied with the patch applied, and leaves the
// snapshot as it was.
func TestDiffPatchedAgreesWithDiffOfPatchedCopy(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 500 {
		prev, next := randomStep(r, i%3 == 0, i%7 == 0)
		patch, applied := randomPatch(r, prev, i)
		before := append([]Socket(nil), prev.Sockets...)
		nextRef := Snapshot{Time: next.Time, Sockets: append([]Socket(nil), next.Sockets...)}

		var d, ref Differ
		got := d.DiffPatched(prev, patch, &next)
		want := ref.Diff(applied, &nextRef)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d: events differ\n got %v\nwant %v", i, got, want)
		}
		if !reflect.DeepEqual(next.Sockets, nextRef.Sockets) {
			t.Fatalf("step %d: next stamped differently", i)
		}
		if !reflect.DeepEqual(prev.Sockets, before) {
			t.Fatalf("step %d: DiffPatched wrote to prev", i)
		}
	}
}

// randomPatch makes a patch of prev (rows dropped, replaced, added; every
// fifth step none per row, every seventh added rows without a cookie) and
// prev copied with it applied.
func randomPatch(r *rand.Rand, prev Snapshot, i int) (patch Patch, applied Snapshot) {
	applied.Time = prev.Time
	if i%5 != 0 { // some steps with no per-row changes (Rows nil)
		patch.Rows = make([]int32, len(prev.Sockets))
	}
	for j, s := range prev.Sockets {
		switch k := r.IntN(6); {
		case patch.Rows != nil && k == 0:
			patch.Rows[j] = -1 // dropped
		case patch.Rows != nil && k == 1:
			s.State = StateTimeWait
			s.Owner = s.Owner.Released()
			patch.Replaced = append(patch.Replaced, &s)
			patch.Rows[j] = int32(len(patch.Replaced))
			applied.Sockets = append(applied.Sockets, s)
		default:
			applied.Sockets = append(applied.Sockets, s)
		}
	}
	for k := range r.IntN(3) {
		s := prev.Sockets[0]
		s.Cookie, s.Local = uint64(1000+k), netip.AddrPortFrom(s.Local.Addr(), uint16(30000+k))
		s.State = StateTimeWait
		if i%7 == 0 {
			s.Cookie = 0
		}
		patch.Added = append(patch.Added, &s)
		applied.Sockets = append(applied.Sockets, s)
	}
	return patch, applied
}

// cookieMap lends an index of rows by cookie (CookieRows).
type cookieMap map[uint64]int32

func (m cookieMap) RowOf(c uint64) (int32, bool) { i, ok := m[c]; return i, ok }

// DiffIndexed, with an index of prev's rows lent, finds what DiffPatched
// finds and stamps next alike: the patch's added rows (one on a cookie of
// prev's as well, in some steps), next's new and duplicate rows, and the
// fallbacks (a row without a cookie, a cookie whose addresses moved, an
// index pointing at rows of other cookies).
func TestDiffIndexedAgreesWithDiffPatched(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 500 {
		prev, next := randomStep(r, i%3 == 0, i%7 == 0)
		prev.Sockets = slices.Compact(prev.Sockets) // the lender's promise: no cookie twice
		patch, _ := randomPatch(r, prev, i)
		if i%11 == 0 && len(patch.Added) > 0 {
			patch.Added[0].Cookie = prev.Sockets[len(prev.Sockets)-1].Cookie
		}
		idx := cookieMap{}
		for j, s := range prev.Sockets {
			idx[s.Cookie] = int32(j)
		}
		switch i % 13 { // a stale index (rows moved under it): not trusted
		case 0:
			a, b := prev.Sockets[0].Cookie, prev.Sockets[1].Cookie
			idx[a], idx[b] = idx[b], idx[a]
		case 1:
			delete(idx, prev.Sockets[0].Cookie)
		}
		nextRef := Snapshot{Time: next.Time, Sockets: append([]Socket(nil), next.Sockets...)}
		var d, ref Differ
		got := d.DiffIndexed(prev, patch, &next, idx)
		want := ref.DiffPatched(prev, patch, &nextRef)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d: events differ\n got %v\nwant %v", i, got, want)
		}
		if !reflect.DeepEqual(next.Sockets, nextRef.Sockets) {
			t.Fatalf("step %d: next stamped differently", i)
		}
	}
}

// A diff with an index lent makes no index of the table: at 100k sockets
// it allocates its row marks (a byte a row) and its few events, not
// DiffPatched's index of the table (2.7 MB).
func TestDiffIndexedMakesNoIndexOfTheTable(t *testing.T) {
	const rows, changed = 100_000, 100
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	prev := Snapshot{Time: t0}
	idx := make(cookieMap, rows)
	for i := range rows {
		prev.Sockets = append(prev.Sockets, Socket{ID: ID{Cookie: uint64(i + 1), Proto: TCP,
			Local: netip.AddrPortFrom(lo, uint16(1024+i%60000)), Remote: netip.AddrPortFrom(lo, uint16(80+i/60000))}, State: StateEstablished})
		idx[uint64(i+1)] = int32(i)
	}
	next := Snapshot{Time: t0.Add(time.Second), Sockets: slices.Clone(prev.Sockets)}
	for i := range changed {
		next.Sockets[i].State = StateCloseWait
	}
	var d Differ
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	events := d.DiffIndexed(prev, Patch{}, &next, idx)
	runtime.ReadMemStats(&after)
	if len(events) != changed {
		t.Fatalf("%d events, want %d", len(events), changed)
	}
	// Its row marks, 0.1 MB, and a little: under 1 MB, where the index of
	// the table alone is 2.6 MB.
	if got, want := after.TotalAlloc-before.TotalAlloc, uint64(1<<20); got > want {
		t.Errorf("a diff of %d rows with an index lent allocated %d bytes, want at most %d", rows, got, want)
	}
}

// A patch whose Rows do not match the snapshot is a programming error.
func TestDiffPatchedRowsMustMatch(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a Patch.Rows shorter than the snapshot")
		}
	}()
	prev := Snapshot{Time: t0, Sockets: make([]Socket, 3)}
	var d Differ
	d.DiffPatched(prev, Patch{Rows: make([]int32, 2)}, &Snapshot{Time: t0.Add(time.Second)})
}

// The first diff of a big table hands out its opens without a copy; they
// stay the caller's: the next diffs do not write over them.
func TestFirstDiffOpensAreTheCallers(t *testing.T) {
	const n = 3 * maxScratchEvents
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	next := Snapshot{Time: t0}
	for i := range n {
		next.Sockets = append(next.Sockets, Socket{ID: ID{Cookie: uint64(n - i), Proto: TCP,
			Local: netip.AddrPortFrom(lo, uint16(60000-i)), Remote: netip.AddrPortFrom(lo, 80)}, Owner: Owner{UID: -1}})
	}
	var d Differ
	first := d.Diff(Snapshot{}, &next)
	if len(first) != n {
		t.Fatalf("%d events, want %d opens", len(first), n)
	}
	for i := range first {
		if first[i].Kind != Opened || i > 0 && CompareIDs(first[i-1].Socket.ID, first[i].Socket.ID) >= 0 {
			t.Fatalf("event %d: %v, want opens in order", i, first[i])
		}
	}
	kept := slices.Clone(first)
	for step := range 3 {
		later := Snapshot{Time: t0.Add(time.Duration(step+1) * time.Second)}
		for i := range n / 2 { // half closed, as many new ones opened
			s := next.Sockets[i]
			s.Cookie += uint64(10 * n * (step + 1))
			later.Sockets = append(later.Sockets, s, next.Sockets[n/2+i])
		}
		d.Diff(next, &later)
		next = later
	}
	if !reflect.DeepEqual(first, kept) {
		t.Error("later diffs wrote over the first diff's events")
	}
}
