package poll

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// TestPrevForDiffPatchesAsEveryRowLookupDoes: the patched copy of base equals
// the row-by-row build, for random releases over tables with and without
// cookies.
func TestPrevForDiffPatchesAsEveryRowLookupDoes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	mk := func(i int, cookie bool) sampler.Socket {
		s := sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: netip.AddrPortFrom(lo, uint16(2000+i)), Remote: netip.AddrPortFrom(lo, 80)}, State: sampler.StateEstablished, Owner: sampler.Owner{UID: -1}}
		if cookie {
			s.Cookie = uint64(i + 1)
		}
		return s
	}
	sorted := func(s []sampler.Socket) []sampler.Socket {
		s = slices.Clone(s)
		slices.SortFunc(s, func(a, b sampler.Socket) int { return sampler.CompareIDs(a.ID, b.ID) })
		return s
	}
	patched := 0
	for step := range 300 {
		p := New(Config{Source: &scriptedSource{}})
		cookies := step%4 != 0
		n := 5 + r.IntN(40)
		for i := range n {
			p.rec.base.Sockets = append(p.rec.base.Sockets, mk(i, cookies || r.IntN(2) == 0))
		}
		for range 1 + r.IntN(8) {
			i := r.IntN(n + 5) // some are not in base
			s := mk(i, cookies)
			if i < n {
				s = p.rec.base.Sockets[i]
			}
			if r.IntN(2) == 0 {
				p.rec.adjust[releaseKey(s.ID)] = adjustment{gone: true}
			} else {
				s.State = sampler.StateTimeWait
				p.rec.adjust[releaseKey(s.ID)] = adjustment{socket: s}
			}
		}
		if step%10 == 0 {
			p.rec.base.Sockets = append(p.rec.base.Sockets, p.rec.base.Sockets[0]) // a duplicate row
		}
		got := sorted(p.rec.prevForDiff().Sockets)
		if !p.rec.baseIndex.dups {
			patched++
		}
		want := sorted(p.rec.tableByRow(nil))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d: prevForDiff\n got %v\nwant %v", step, got, want)
		}
	}
	if patched == 0 {
		t.Error("the patching path never ran")
	}
}
