package poll

import (
	"net/netip"
	"runtime"
	"testing"
	"unsafe"

	"github.com/porttop/porttop/sampler"
)

func adjSocket(cookie uint64, port uint16, st sampler.State) sampler.Socket {
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	return sampler.Socket{
		ID:    sampler.ID{Cookie: cookie, Proto: sampler.TCP, Local: netip.AddrPortFrom(lo, port), Remote: netip.AddrPortFrom(lo, 80)},
		State: st,
		Owner: sampler.Owner{PID: int32(cookie), Process: "p"},
	}
}

// Adjustments as a script: a changed socket is read back as set, a gone
// one as gone, a key without a cookie by its whole ID; a socket's slot is
// reused once it is gone; clear forgets everything.
func TestAdjustmentsScript(t *testing.T) {
	a := newAdjustments()
	s1 := adjSocket(1, 1000, sampler.StateEstablished)
	s2 := adjSocket(2, 1001, sampler.StateTimeWait)
	noCookie := adjSocket(0, 1002, sampler.StateEstablished)
	a.set(releaseKey(s1.ID), adjustment{socket: s1})
	a.set(releaseKey(s2.ID), adjustment{socket: s2})
	a.set(releaseKey(noCookie.ID), adjustment{socket: noCookie})
	for _, s := range []sampler.Socket{s1, s2, noCookie} {
		got, ok := a.get(releaseKey(s.ID))
		if !ok || got.gone || got.socket != s {
			t.Fatalf("get(%v) = %+v %v, want the socket set", s.ID, got, ok)
		}
	}
	if a.len() != 3 {
		t.Fatalf("len %d, want 3", a.len())
	}
	// The same key changed again keeps its slot.
	s1.State = sampler.StateFinWait1
	a.set(releaseKey(s1.ID), adjustment{socket: s1})
	if a.used != 3 {
		t.Fatalf("a socket changed twice took %d slots for 3 sockets", a.used)
	}
	// Gone: kept as gone, its slot handed to the next socket.
	a.set(releaseKey(s1.ID), adjustment{gone: true})
	if got, ok := a.get(releaseKey(s1.ID)); !ok || !got.gone {
		t.Fatalf("a gone socket reads %+v %v", got, ok)
	}
	s3 := adjSocket(3, 1003, sampler.StateSynSent)
	a.set(releaseKey(s3.ID), adjustment{socket: s3})
	if a.used != 3 {
		t.Fatalf("a gone socket's slot was not reused: %d slots", a.used)
	}
	if got, _ := a.get(releaseKey(s3.ID)); got.socket != s3 {
		t.Fatalf("the reused slot reads %+v", got.socket)
	}
	seen := map[sampler.ID]bool{}
	for k, adj := range a.all() {
		seen[k] = adj.gone
	}
	want := map[sampler.ID]bool{releaseKey(s1.ID): true, releaseKey(s2.ID): false, releaseKey(s3.ID): false, releaseKey(noCookie.ID): false}
	if len(seen) != len(want) {
		t.Fatalf("all yields %v, want %v", seen, want)
	}
	for k, g := range want {
		if gone, ok := seen[k]; !ok || gone != g {
			t.Fatalf("all yields %v, want %v", seen, want)
		}
	}
	a.clear()
	if a.len() != 0 || a.has(releaseKey(s2.ID)) {
		t.Fatalf("after clear %d adjusted", a.len())
	}
}

// The TIME_WAIT sockets among the adjustments are found by their
// addresses, and only while the slot still holds that TIME_WAIT socket:
// once it is gone and its slot reused by another socket, its addresses
// find nothing (closeReplaced would otherwise close the wrong socket).
func TestAdjustmentsTimeWaitByAddress(t *testing.T) {
	a := newAdjustments()
	tw := adjSocket(7, 2000, sampler.StateTimeWait)
	key := releaseKey(tw.ID)
	a.set(key, adjustment{socket: tw})
	a.markTimeWait(key)
	if got, ok := a.timeWait(addressesOf(tw.ID)); !ok || got != key {
		t.Fatalf("timeWait(its addresses) = %v %v, want %v", got, ok, key)
	}
	if _, ok := a.timeWait(addressesOf(adjSocket(0, 2001, 0).ID)); ok {
		t.Fatal("other addresses found a TIME_WAIT socket")
	}
	a.set(key, adjustment{gone: true})
	if _, ok := a.timeWait(addressesOf(tw.ID)); ok {
		t.Fatal("a gone TIME_WAIT socket is found by its addresses")
	}
	// A new socket on the same addresses takes the slot: not TIME_WAIT.
	again := adjSocket(8, 2000, sampler.StateSynSent)
	a.set(releaseKey(again.ID), adjustment{socket: again})
	if _, ok := a.timeWait(addressesOf(tw.ID)); ok {
		t.Fatal("a reused slot's new socket is found as the old TIME_WAIT one")
	}
	a.forgetTimeWait(addressesOf(tw.ID))
	again.State = sampler.StateTimeWait
	a.set(releaseKey(again.ID), adjustment{socket: again})
	if _, ok := a.timeWait(addressesOf(tw.ID)); ok {
		t.Fatal("a TIME_WAIT socket not marked is found by its addresses")
	}
	a.markTimeWait(releaseKey(again.ID))
	if got, ok := a.timeWait(addressesOf(tw.ID)); !ok || got != releaseKey(again.ID) {
		t.Fatalf("timeWait = %v %v, want the new socket's key", got, ok)
	}
}

// Under churn the adjustments hold every socket changed since the last
// check (~40k for 10 s at 2,000 connections a second): a gone socket costs
// its 16-byte key and a slot number, a changed one its row besides, not
// a map entry of an 80-byte ID and a 256-byte adjustment (~340 bytes,
// whichever).
func TestAdjustmentsHoldLittlePerSocket(t *testing.T) {
	const n = 50_000
	measure := func(fill func(a *adjustments)) float64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		a := newAdjustments()
		fill(&a)
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(a)
		return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
	}
	gone := measure(func(a *adjustments) {
		for i := range n {
			a.set(sampler.ID{Cookie: uint64(i + 1), Proto: sampler.TCP}, adjustment{gone: true})
		}
	})
	if gone > 80 {
		t.Errorf("a gone socket holds %.0f bytes, want at most 80", gone)
	}
	kept := measure(func(a *adjustments) {
		for i := range n {
			s := adjSocket(uint64(i+1), uint16(i), sampler.StateTimeWait)
			a.set(releaseKey(s.ID), adjustment{socket: s})
		}
	})
	row := float64(sampleSocketSize)
	if kept > row+80 {
		t.Errorf("a changed socket holds %.0f bytes, want at most its row (%.0f) and 80", kept, row)
	}
	t.Logf("held per socket: gone %.0f bytes, changed %.0f (a row is %.0f)", gone, kept, row)
}

const sampleSocketSize = unsafe.Sizeof(sampler.Socket{})
