package sampler

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"testing"
)

// TestPrevForDiffPatchesAsEveryRowLookupDoes: the patched copy of base equals
// the row-by-row build, for random releases over tables with and without
// cookies.
func TestPrevForDiffPatchesAsEveryRowLookupDoes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	mk := func(i int, cookie bool) Socket {
		s := Socket{ID: ID{Proto: TCP, Local: netip.AddrPortFrom(lo, uint16(2000+i)), Remote: netip.AddrPortFrom(lo, 80)}, State: StateEstablished, Owner: Owner{UID: -1}}
		if cookie {
			s.Cookie = uint64(i + 1)
		}
		return s
	}
	sorted := func(s []Socket) []Socket {
		s = slices.Clone(s)
		slices.SortFunc(s, func(a, b Socket) int { return CompareIDs(a.ID, b.ID) })
		return s
	}
	patched := 0
	for step := range 300 {
		p := NewPoller(PollerConfig{Source: &scriptedSource{}})
		cookies := step%4 != 0
		n := 5 + r.IntN(40)
		for i := range n {
			p.base.Sockets = append(p.base.Sockets, mk(i, cookies || r.IntN(2) == 0))
		}
		for range 1 + r.IntN(8) {
			i := r.IntN(n + 5) // some are not in base
			s := mk(i, cookies)
			if i < n {
				s = p.base.Sockets[i]
			}
			if r.IntN(2) == 0 {
				p.adjust[releaseKey(s.ID)] = adjustment{gone: true}
			} else {
				s.State = StateTimeWait
				p.adjust[releaseKey(s.ID)] = adjustment{socket: s}
			}
		}
		if step%10 == 0 {
			p.base.Sockets = append(p.base.Sockets, p.base.Sockets[0]) // a duplicate row
		}
		got := sorted(p.prevForDiff().Sockets)
		if !p.baseIndex.dups {
			patched++
		}
		want := sorted(p.prevForDiffByRow().Sockets)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d: prevForDiff\n got %v\nwant %v", step, got, want)
		}
	}
	if patched == 0 {
		t.Error("the patching path never ran")
	}
}
