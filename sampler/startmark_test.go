package sampler

import (
	"net/netip"
	"runtime"
	"testing"
	"time"
)

// Driven by the real Differ (first sample's opens marked Existing, as the
// poller does): sockets of the first sample are marked when
// they close (held at least), one handed out later is not, whether it
// closes in the next sample or ten later.
func TestStartMarkMarksClosesOfSocketsOpenAtStart(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tcp := func(local string) Socket {
		return Socket{
			ID: ID{Proto: TCP, Local: netip.MustParseAddrPort(local),
				Remote: netip.MustParseAddrPort("10.0.0.9:443")},
			State: StateTimeWait,
			Owner: Owner{UID: -1},
		}
	}
	old, young := tcp("10.0.0.5:35125"), tcp("10.0.0.5:35126")
	var d Differ
	var mark StartMark
	step := func(prev Snapshot, at time.Time, socks ...Socket) (Snapshot, []Event) {
		next := Snapshot{Time: at, Sockets: append([]Socket(nil), socks...)}
		ev := d.Diff(prev, &next)
		if prev.Time.IsZero() { // the first sample's opens are Existing, as the poller marks them
			for i := range ev {
				ev[i].Existing = true
			}
		}
		b := Batch{Snapshot: next, Events: ev}
		mark.Observe(&b)
		mark.Mark(ev)
		return next, ev
	}
	s1, _ := step(Snapshot{}, t0, old)
	s2, _ := step(s1, t0.Add(time.Second), old, young)
	_, ev := step(s2, t0.Add(1800*time.Millisecond))
	if len(ev) != 2 {
		t.Fatalf("events %+v", ev)
	}
	for _, e := range ev {
		want := e.Socket.Local.Port() == 35125
		if e.Kind != Closed || e.HeldAtLeast != want {
			t.Errorf("close of %v: HeldAtLeast %v, want %v (held %v)", e.Socket.Local, e.HeldAtLeast, want, e.Held)
		}
	}
	if !mark.First().Equal(t0) {
		t.Errorf("first sample at %v, want %v", mark.First(), t0)
	}
}

// Nothing is marked before the first sample, nor a socket that was not
// an Existing open of it, even one opened in the same second.
func TestStartMarkNeedsAFirstSample(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	a := Socket{ID: ID{Proto: TCP, Local: netip.MustParseAddrPort("10.0.0.5:35125")}, Since: StampOf(t0)}
	b := a
	b.Local = netip.MustParseAddrPort("10.0.0.5:35126")
	var mark StartMark
	ev := []Event{{Kind: Closed, Socket: a}}
	mark.Mark(ev)
	mark.Observe(&Batch{Events: []Event{{Kind: Opened, Existing: true, Socket: a}}}) // a failed first sample: no time
	mark.Mark(ev)
	if ev[0].HeldAtLeast {
		t.Error("marked before any sample")
	}
	mark.Observe(&Batch{Snapshot: Snapshot{Time: t0}, Events: []Event{{Kind: Opened, Time: t0, Existing: true, Socket: a}}})
	if !mark.OpenAtStart(&a) || mark.OpenAtStart(&b) {
		t.Errorf("open at start: a %v b %v, want true false", mark.OpenAtStart(&a), mark.OpenAtStart(&b))
	}
	ev = []Event{{Kind: Closed, Socket: b}, {Kind: Closed, Socket: a}}
	mark.Mark(ev)
	if ev[0].HeldAtLeast || !ev[1].HeldAtLeast {
		t.Errorf("marks %v %v, want false true", ev[0].HeldAtLeast, ev[1].HeldAtLeast)
	}
	if mark.OpenAtStart(&a) {
		t.Error("a closed socket is still remembered")
	}
}

// A replay's first batch can reach past the recording's first sample (its
// clock runs while the display waits): the start is the Existing opens'
// time.
func TestStartMarkTakesTheExistingOpensTime(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var mark StartMark
	mark.Observe(&Batch{Snapshot: Snapshot{Time: t0.Add(1600 * time.Millisecond)}, Events: []Event{
		{Kind: Opened, Time: t0, Existing: true},
		{Kind: Opened, Time: t0.Add(time.Second)},
	}})
	if !mark.First().Equal(t0) {
		t.Errorf("start %v, want the existing opens' %v", mark.First(), t0)
	}
}

// Sockets with a cookie are told apart by it: one that takes over the
// addresses of a socket open at the start, with a new cookie, was not
// open then; OpenAtStart says the same until the first one closes.
func TestStartMarkTellsSocketsByCookie(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	sock := func(cookie uint64) Socket {
		return Socket{
			ID: ID{Cookie: cookie, Proto: TCP, Local: netip.MustParseAddrPort("10.0.0.5:35125"),
				Remote: netip.MustParseAddrPort("10.0.0.9:443")},
			State: StateEstablished, Owner: Owner{UID: -1},
		}
	}
	old, heir := sock(1), sock(2)
	var mark StartMark
	first := Batch{Snapshot: Snapshot{Time: t0, Sockets: []Socket{old}},
		Events: []Event{{Kind: Opened, Time: t0, Socket: old, Existing: true}}}
	mark.Observe(&first)
	if !mark.OpenAtStart(&old) || mark.OpenAtStart(&heir) {
		t.Fatalf("open at start: cookie 1 %v, cookie 2 %v; want true, false", mark.OpenAtStart(&old), mark.OpenAtStart(&heir))
	}
	ev := []Event{{Kind: Closed, Socket: heir}, {Kind: Closed, Socket: old}}
	mark.Mark(ev)
	if ev[0].HeldAtLeast || !ev[1].HeldAtLeast {
		t.Errorf("HeldAtLeast: cookie 2 %v, cookie 1 %v; want false, true", ev[0].HeldAtLeast, ev[1].HeldAtLeast)
	}
	if mark.OpenAtStart(&old) {
		t.Error("still open at start after its close")
	}
}

// Sockets without a cookie (gopsutil, recordings) are kept by their
// addresses packed where both are IPv4 or unset: each field still tells
// them apart, an unset address is not 0.0.0.0, and IPv6 ones are kept
// whole.
func TestStartMarkTellsCookielessSocketsApart(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	id := func(proto Proto, local, remote string) ID {
		i := ID{Proto: proto, Local: netip.MustParseAddrPort(local)}
		if remote != "" {
			i.Remote = netip.MustParseAddrPort(remote)
		}
		return i
	}
	open := []ID{
		id(TCP, "10.0.0.5:35125", "10.0.0.9:443"),
		id(UDP, "0.0.0.0:53", ""),
		id(TCP, "[fe80::1]:22", "[fe80::2]:5000"),
	}
	others := []ID{
		id(UDP, "10.0.0.5:35125", "10.0.0.9:443"),
		id(TCP, "10.0.0.6:35125", "10.0.0.9:443"),
		id(TCP, "10.0.0.5:35126", "10.0.0.9:443"),
		id(TCP, "10.0.0.5:35125", "10.0.0.8:443"),
		id(TCP, "10.0.0.5:35125", "10.0.0.9:444"),
		id(UDP, "0.0.0.0:53", "0.0.0.0:0"),
		id(TCP, "0.0.0.0:53", ""),
		id(UDP, "[::ffff:0.0.0.0]:53", ""),
		id(TCP, "[fe80::1]:22", "[fe80::3]:5000"),
	}
	var first Batch
	first.Snapshot.Time = t0
	for _, i := range open {
		first.Events = append(first.Events, Event{Kind: Opened, Time: t0, Existing: true, Socket: Socket{ID: i}})
	}
	var mark StartMark
	mark.Observe(&first)
	for _, i := range open {
		if !mark.OpenAtStart(&Socket{ID: i}) {
			t.Errorf("%v %v-%v open at start not remembered", i.Proto, i.Local, i.Remote)
		}
	}
	for _, i := range others {
		if mark.OpenAtStart(&Socket{ID: i}) {
			t.Errorf("%v %v-%v taken for a socket open at start", i.Proto, i.Local, i.Remote)
		}
	}
	ev := []Event{{Kind: Closed, Socket: Socket{ID: open[0]}}, {Kind: Closed, Socket: Socket{ID: open[2]}}}
	mark.Mark(ev)
	if !ev[0].HeldAtLeast || !ev[1].HeldAtLeast || mark.OpenAtStart(&Socket{ID: open[0]}) || mark.OpenAtStart(&Socket{ID: open[2]}) {
		t.Errorf("closes marked %v %v, want both, and both forgotten", ev[0].HeldAtLeast, ev[1].HeldAtLeast)
	}
}

// The sockets open at start cost about 16 bytes of key each, with a
// cookie or without one (IPv4), not the 80-byte ID nor a map's ~46 bytes
// a key (a sorted slice: 4.6 MB held by watch at 100k sockets became
// 1.6); and once most of a
// big first sample has closed (TIME_WAIT sockets go within a minute), the
// room they took is given back.
func TestStartMarkMemoryFollowsTheSocketsStillOpen(t *testing.T) {
	const n = 100_000
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	ids := func(cookies bool) []ID {
		out := make([]ID, n)
		for i := range out {
			out[i] = ID{Proto: TCP,
				Local:  netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(i >> 16), byte(i >> 8)}), uint16(i)),
				Remote: netip.MustParseAddrPort("10.0.0.9:443")}
			if cookies {
				out[i].Cookie = uint64(i + 1)
			}
		}
		return out
	}
	heap := heapAfterGC
	for _, cookies := range []bool{true, false} {
		all := ids(cookies)
		first := Batch{Snapshot: Snapshot{Time: t0}, Events: make([]Event, 0, n)}
		for _, id := range all {
			first.Events = append(first.Events, Event{Kind: Opened, Time: t0, Existing: true, Socket: Socket{ID: id}})
		}
		mark := new(StartMark)
		before := heap()
		mark.Observe(&first)
		full := heap()
		perSocket := (int64(full) - int64(before)) / n
		if perSocket > 20 {
			t.Errorf("cookies %v: %d bytes a socket open at start, want at most 20 (16-byte keys)", cookies, perSocket)
		}
		// All but 1% close, in batches of 2,000.
		for i := 0; i < n-n/100; i += 2000 {
			var ev []Event
			for _, id := range all[i:min(i+2000, n-n/100)] {
				ev = append(ev, Event{Kind: Closed, Socket: Socket{ID: id}})
			}
			mark.Mark(ev)
		}
		left := heap()
		if grown, kept := int64(full)-int64(before), int64(left)-int64(before); kept > grown/4 {
			t.Errorf("cookies %v: %d bytes still held with 1%% of the sockets open, of %d at the start: want a quarter at most",
				cookies, kept, grown)
		}
		if !mark.OpenAtStart(&Socket{ID: all[n-1]}) || mark.OpenAtStart(&Socket{ID: all[0]}) {
			t.Errorf("cookies %v: the set is wrong after it shrank", cookies)
		}
		runtime.KeepAlive(first.Events)
	}
}

// heapAfterGC is the heap in use after a collection: what a holder keeps.
func heapAfterGC() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// A feed that hands the first sample's opens out in parts (Batch.
// ExistingToCome): the opens of every part are open at start, and taking
// them allocates about the set itself (room for all made at the first
// part, from its table), not a copy of the set a part.
func TestStartMarkTakesTheFirstSampleInParts(t *testing.T) {
	const n, part = 50_000, 2_000
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	table := make([]Socket, n)
	for i := range table {
		table[i].ID = ID{Cookie: uint64(i + 1), Proto: TCP,
			Local:  netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), uint16(i)),
			Remote: netip.MustParseAddrPort("10.0.0.9:443")}
	}
	var batches []Batch
	for i := 0; i < n; i += part {
		b := Batch{Snapshot: Snapshot{Time: t0, Sockets: table}, ExistingToCome: i+part < n}
		for _, s := range table[i : i+part] {
			b.Events = append(b.Events, Event{Kind: Opened, Time: t0, Existing: true, Socket: s})
		}
		batches = append(batches, b)
	}
	var mark StartMark
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range batches {
		mark.Observe(&batches[i])
		mark.Mark(batches[i].Events)
	}
	runtime.ReadMemStats(&after)
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 3*16*n {
		t.Errorf("taking %d opens in parts of %d allocated %d bytes, want at most %d (three times the 16-byte keys)",
			n, part, allocated, 3*16*n)
	}
	closes := []Event{
		{Kind: Closed, Socket: table[0]}, {Kind: Closed, Socket: table[n-1]},
		{Kind: Closed, Socket: Socket{ID: ID{Cookie: n + 1, Proto: TCP}}}, // opened later
	}
	later := Batch{Snapshot: Snapshot{Time: t0.Add(time.Second)}, Events: closes}
	mark.Observe(&later)
	mark.Mark(later.Events)
	if !later.Events[0].HeldAtLeast || !later.Events[1].HeldAtLeast || later.Events[2].HeldAtLeast {
		t.Errorf("HeldAtLeast of the closes of the first part's socket, the last part's, one opened later: %v %v %v; want true true false",
			later.Events[0].HeldAtLeast, later.Events[1].HeldAtLeast, later.Events[2].HeldAtLeast)
	}
	if !mark.OpenAtStart(&table[n/2]) || !mark.First().Equal(t0) {
		t.Errorf("a middle part's socket open at start %v, start %v; want true, %v", mark.OpenAtStart(&table[n/2]), mark.First(), t0)
	}
}
