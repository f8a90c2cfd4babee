package poll

import (
	"math/rand/v2"
	"testing"
)

// A row table acted on by random puts (repeated keys among them), removes
// and resets finds what a map acted on alike finds, for keys that crowd
// into few homes (small tables, keys counting up) as well as spread ones.
func TestRowTableActsAsAMap(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for step := range 200 {
		var tab rowTable
		want := map[uint64]int32{}
		keys := uint64(1 + r.IntN(300))
		tab.reset(r.IntN(int(keys)), false)
		for op := range 2000 {
			k := 1 + r.Uint64N(keys)
			if step%2 == 1 {
				k = r.Uint64() | 1
				if r.IntN(3) > 0 && len(want) > 0 { // one held already
					for k = range want {
						break
					}
				}
			}
			switch n := r.IntN(100); {
			case n < 55:
				_, had := want[k]
				if dup := tab.put(k, int32(op)); dup != had {
					t.Fatalf("step %d op %d: put(%d) dup %v, want %v", step, op, k, dup, had)
				}
				want[k] = int32(op)
			case n < 95:
				tab.remove(k)
				delete(want, k)
			case n < 97:
				tab.reset(len(want), n == 96)
				clear(want)
			default:
				k = 0 // never a key
			}
			if got, ok := tab.get(k); ok != hasKey(want, k) || got != want[k] {
				t.Fatalf("step %d op %d: get(%d) = %d %v, want %d", step, op, k, got, ok, want[k])
			}
		}
		if tab.n != len(want) {
			t.Fatalf("step %d: table holds %d keys, want %d", step, tab.n, len(want))
		}
		for k, v := range want {
			if got, ok := tab.get(k); !ok || got != v {
				t.Fatalf("step %d: get(%d) = %d %v, want %d", step, k, got, ok, v)
			}
		}
	}
}

func hasKey(m map[uint64]int32, k uint64) bool { _, ok := m[k]; return ok }

// A table reset for fewer keys keeps its slices (no allocation from one
// build to the next) unless it is more than 4 times too big, and a fresh
// reset leaves the old slices, lent, as they were.
func TestRowTableReusesItsRoom(t *testing.T) {
	var tab rowTable
	tab.reset(10_000, false)
	for k := range uint64(10_000) {
		tab.put(k+1, int32(k))
	}
	if allocs := testing.AllocsPerRun(5, func() { tab.reset(9_000, false) }); allocs != 0 {
		t.Errorf("a reset for fewer keys allocated %v times, want 0", allocs)
	}
	for k := range uint64(10_000) {
		tab.put(k+1, int32(k))
	}
	lent := tab
	tab.reset(10_000, true)
	tab.put(1, 7)
	if got, ok := lent.get(1); !ok || got != 0 {
		t.Errorf("the lent table finds 1 at %d %v after a fresh reset, want 0", got, ok)
	}
	tab.reset(100, false)
	if got := tab.bytes(); got > 12*1024*2 {
		t.Errorf("a table reset for 100 keys after 10000 holds %d bytes", got)
	}
}

// Build and lookups of the base index at 100k sockets (cookies and
// addresses): ns and bytes a build.
func BenchmarkBaseIndex100k(b *testing.B) {
	socks := indexTable(100_000)
	var x baseIndex
	b.ReportAllocs()
	for b.Loop() {
		x.build(socks)
		for i := range socks {
			if j, ok := x.find(socks, releaseKey(socks[i].ID)); !ok || int(j) != i {
				b.Fatalf("row %d found at %d %v", i, j, ok)
			}
			if _, ok := x.live.find(socks, socks[i].ID); !ok {
				b.Fatalf("row %d not found by its addresses", i)
			}
		}
	}
}
