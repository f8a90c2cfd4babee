package poll

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// TestPatchForDiffPatchesAsEveryRowLookupDoes: base as the patch changes it
// equals base as the row-by-row patch changes it, for random releases over
// tables with and without cookies, and base itself is left as it was.
func TestPatchForDiffPatchesAsEveryRowLookupDoes(t *testing.T) {
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
				p.rec.adjust.set(releaseKey(s.ID), adjustment{gone: true})
			} else {
				s.State = sampler.StateTimeWait
				p.rec.adjust.set(releaseKey(s.ID), adjustment{socket: s})
			}
		}
		if step%10 == 0 {
			p.rec.base.Sockets = append(p.rec.base.Sockets, p.rec.base.Sockets[0]) // a duplicate row
		}
		base := slices.Clone(p.rec.base.Sockets)
		got := sorted(applyPatch(p.rec.base.Sockets, p.rec.patchForDiff()))
		if !p.rec.baseIndex.dups {
			patched++
		}
		want := sorted(applyPatch(p.rec.base.Sockets, p.rec.patchForDiffByRow()))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d: patchForDiff\n got %v\nwant %v", step, got, want)
		}
		if !reflect.DeepEqual(p.rec.base.Sockets, base) {
			t.Fatalf("step %d: patchForDiff wrote to base", step)
		}
		if copied := sorted(p.rec.prevForDiff().Sockets); !reflect.DeepEqual(copied, want) {
			t.Fatalf("step %d: prevForDiff\n got %v\nwant %v", step, copied, want)
		}
	}
	if patched == 0 {
		t.Error("the patching path never ran")
	}
}

// A check's patch points at the adjusted sockets where the adjustments
// keep them, not at copies: under the ebpf source a check finds ~40k
// sockets changed since the last, and their copies (168 bytes each, 6.7
// MB) were alive beside the check's two tables. Made afresh, the patch
// costs its row marks and 8 bytes (a pointer) an adjusted socket, with
// the room appends leave.
func TestPatchForDiffCopiesNoSocket(t *testing.T) {
	const rows, changed = 20_000, 10_000
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	p := New(Config{Source: &scriptedSource{}})
	for i := range rows {
		p.rec.base.Sockets = append(p.rec.base.Sockets, sampler.Socket{ID: sampler.ID{Cookie: uint64(i + 1), Proto: sampler.TCP,
			Local: netip.AddrPortFrom(lo, uint16(2000+i)), Remote: netip.AddrPortFrom(lo, 80)}, State: sampler.StateEstablished})
	}
	for i := range changed {
		s := p.rec.base.Sockets[i]
		if i%2 == 1 { // half not in base
			s.Cookie += rows
		}
		s.State = sampler.StateTimeWait
		p.rec.adjust.set(releaseKey(s.ID), adjustment{socket: s})
	}
	p.rec.patchForDiff() // the base index, once per base
	p.rec.diffScratch = patchScratch{}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	patch := p.rec.patchForDiff()
	runtime.ReadMemStats(&after)
	if len(patch.Replaced) != changed/2 || len(patch.Added) != changed/2 {
		t.Fatalf("patch replaces %d rows and adds %d, want %d each", len(patch.Replaced), len(patch.Added), changed/2)
	}
	if got, want := after.TotalAlloc-before.TotalAlloc, uint64(4*rows+48*changed); got > want {
		t.Errorf("patch of %d changed sockets over %d rows allocated %d bytes, want at most %d", changed, rows, got, want)
	}
}

// applyPatch is base as patch changes it, copied (as sampler.Differ reads it).
func applyPatch(base []sampler.Socket, patch sampler.Patch) []sampler.Socket {
	var out []sampler.Socket
	for i, s := range base {
		switch {
		case patch.Rows == nil || patch.Rows[i] == 0:
			out = append(out, s)
		case patch.Rows[i] > 0:
			out = append(out, *patch.Replaced[patch.Rows[i]-1])
		}
	}
	for _, s := range patch.Added {
		out = append(out, *s)
	}
	return out
}

// The address index finds the last row with the addresses looked up, by
// their hash, and never a row with other addresses: not one whose hash
// took the slot (acted out by pointing the slot at another row).
func TestAddrIndexFindsByAddressesOnly(t *testing.T) {
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	mk := func(cookie uint64, port uint16) sampler.Socket {
		return sampler.Socket{ID: sampler.ID{Cookie: cookie, Proto: sampler.TCP, Local: netip.AddrPortFrom(lo, port), Remote: netip.AddrPortFrom(lo, 80)}}
	}
	socks := []sampler.Socket{mk(1, 4000), mk(2, 4001), mk(3, 4000)}
	var a addrIndex
	a.reset()
	for i := range socks {
		a.put(&socks[i].ID, int32(i))
	}
	if i, ok := a.find(socks, mk(0, 4000).ID); !ok || i != 2 {
		t.Errorf("4000: row %d, %v; want the last, 2", i, ok)
	}
	if i, ok := a.find(socks, mk(9, 4001).ID); !ok || i != 1 {
		t.Errorf("4001 (another cookie): row %d, %v; want 1", i, ok)
	}
	udp := mk(0, 4001).ID
	udp.Proto = sampler.UDP
	for _, id := range []sampler.ID{mk(0, 4002).ID, udp} {
		if i, ok := a.find(socks, id); ok {
			t.Errorf("%v: found row %d, want none", id, i)
		}
	}
	a.rows.put(a.hash(&socks[1].ID), 0) // another row's addresses in 4001's slot
	if i, ok := a.find(socks, mk(0, 4001).ID); ok {
		t.Errorf("4001 with a colliding slot: found row %d, want none", i)
	}
	a.reset()
	if _, ok := a.find(socks, mk(0, 4000).ID); ok {
		t.Error("found a row after reset")
	}
}

// A check under churn (the base indexed already: events looked sockets up)
// lends the base's index to its diff: at 100k sockets it makes no second
// index of the table (the Differ's own was 2.7 MB, made at each check
// while the check's two tables were alive).
func TestCheckLendsTheBaseIndex(t *testing.T) {
	const rows = 100_000
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	r := NewReconciler(sampler.FirstSeen{})
	first := sampler.Snapshot{Time: t0}
	for i := range rows {
		first.Sockets = append(first.Sockets, sampler.Socket{ID: sampler.ID{Cookie: uint64(i + 1), Proto: sampler.TCP,
			Local: netip.AddrPortFrom(lo, uint16(1024+i%60000)), Remote: netip.AddrPortFrom(lo, uint16(80+i/60000))}, State: sampler.StateEstablished})
	}
	next := sampler.Snapshot{Sockets: slices.Clone(first.Sockets)}
	r.Sample(t0, &first, Reading{})
	// A tick's UDP-only sample between checks (the Differ's own index
	// follows it down), and events looked a socket up: the base is indexed.
	udp := sampler.Snapshot{Sockets: []sampler.Socket{{ID: sampler.ID{Cookie: rows + 1, Proto: sampler.UDP, Local: netip.AddrPortFrom(lo, 53)}}}}
	r.Tick(t0.Add(time.Second), &udp, nil, false)
	r.inBase(releaseKey(first.Sockets[0].ID))
	next.Sockets = append(next.Sockets, udp.Sockets...)
	r.BeginCheck(true)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	events := r.Check(t0.Add(10*time.Second), &next, Reading{})
	runtime.ReadMemStats(&after)
	if len(events) != 0 {
		t.Fatalf("a check of the same table made %d events", len(events))
	}
	// The patch's row marks and the diff's (5 bytes a row: 0.5 MB, 1 MB
	// with -race, other tests allocating meanwhile): under 2 MB, where an
	// index of the table alone is 2.6 (5.2 MB allocated before).
	if got, want := after.TotalAlloc-before.TotalAlloc, uint64(2<<20); got > want {
		t.Errorf("a check of %d sockets allocated %d bytes, want at most %d (no index of the table)", rows, got, want)
	}
}

// indexTable is n TCP sockets with cookies, established, on loopback.
func indexTable(n int) []sampler.Socket {
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	socks := make([]sampler.Socket, n)
	for i := range socks {
		socks[i] = sampler.Socket{ID: sampler.ID{Cookie: uint64(i + 1), Proto: sampler.TCP,
			Local: netip.AddrPortFrom(lo, uint16(1024+i%60000)), Remote: netip.AddrPortFrom(lo, uint16(80+i/60000))}, State: sampler.StateEstablished}
	}
	return socks
}

// The base index of 100k sockets holds 12 bytes a slot by cookie and as
// many by addresses, at a load of 4/5: 3 MB (its Go maps held 4.7).
func TestBaseIndexHeldBytes(t *testing.T) {
	const rows = 100_000
	socks := indexTable(rows)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	x := new(baseIndex)
	x.build(socks)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if i, ok := x.find(socks, releaseKey(socks[rows-1].ID)); !ok || i != rows-1 {
		t.Fatalf("last row found at %d %v", i, ok)
	}
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	runtime.KeepAlive(x)
	t.Logf("%d sockets: the index holds %d bytes", rows, held)
	if want := int64(32 * rows); held > want {
		t.Errorf("the index of %d sockets holds %d bytes, want at most %d", rows, held, want)
	}
}
