package sampler

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
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
		var patch Patch
		applied := Snapshot{Time: prev.Time}
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
