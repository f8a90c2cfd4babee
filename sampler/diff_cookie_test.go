package sampler

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"runtime"
	"testing"
	"time"
)

// randomStep makes a table and a next table from it with closes, opens,
// state changes, lost attribution, duplicate rows, and (when moved) sockets
// whose addresses change under the same cookie.
func randomStep(r *rand.Rand, moved, noCookie bool) (prev, next Snapshot) {
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	mk := func(i int) Socket {
		return Socket{
			ID:    ID{Cookie: uint64(i + 1), Proto: TCP, Local: netip.AddrPortFrom(lo, uint16(1024+i)), Remote: netip.AddrPortFrom(lo, 80)},
			State: StateEstablished,
			Owner: Owner{UID: 1000, PID: int32(i + 1), Process: "p"},
			Inode: uint32(i + 7),
		}
	}
	prev.Time, next.Time = t0, t0.Add(time.Second)
	n := 20 + r.IntN(30)
	for i := range n {
		s := mk(i)
		s.Since = StampOf(t0.Add(-time.Duration(r.IntN(100)) * time.Second))
		prev.Sockets = append(prev.Sockets, s)
		if r.IntN(8) == 0 {
			prev.Sockets = append(prev.Sockets, s) // duplicate row
		}
	}
	for i := range n + 10 {
		if i < n && r.IntN(6) == 0 {
			continue // closed
		}
		s := mk(i)
		switch r.IntN(6) {
		case 0:
			s.State = StateCloseWait
		case 1:
			s.PID, s.Process, s.UID = 0, "", -1
		case 2:
			if moved {
				s.Remote = netip.AddrPortFrom(lo, 81)
			}
		}
		next.Sockets = append(next.Sockets, s)
		if r.IntN(8) == 0 {
			next.Sockets = append(next.Sockets, s)
		}
	}
	if noCookie {
		next.Sockets[r.IntN(len(next.Sockets))].Cookie = 0
	}
	return prev, next
}

func TestDiffByCookieAgreesWithDiffByID(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	byCookie := map[bool]int{}
	for i := range 500 {
		prev, next := randomStep(r, i%3 == 0, i%7 == 0)
		nextID := Snapshot{Time: next.Time, Sockets: append([]Socket(nil), next.Sockets...)}

		var d, ref Differ
		pv := &prevRows{time: prev.Time, base: prev.Sockets}
		took := d.diffByCookie(pv, &next)
		if !took {
			d.diffByID(pv, &next)
		}
		got := d.collect()
		byCookie[took]++
		ref.diffByID(pv, &nextID)
		want := ref.collect()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d (by cookie %v): events differ\n got %v\nwant %v", i, took, got, want)
		}
		if !reflect.DeepEqual(next.Sockets, nextID.Sockets) {
			t.Fatalf("step %d (by cookie %v): next stamped differently", i, took)
		}
	}
	if byCookie[true] == 0 || byCookie[false] == 0 {
		t.Errorf("paths taken: %v; want both", byCookie)
	}
}

func TestDiffSameCookieNewAddressIsCloseAndOpen(t *testing.T) {
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	s := Socket{ID: ID{Cookie: 9, Proto: UDP, Local: netip.AddrPortFrom(lo, 5000)}, Owner: Owner{UID: -1}}
	moved := s
	moved.Remote = netip.AddrPortFrom(lo, 53)
	events := Diff(Snapshot{Time: t0, Sockets: []Socket{s}}, &Snapshot{Time: t0.Add(time.Second), Sockets: []Socket{moved}})
	if len(events) != 2 || events[0].Kind != Closed || events[1].Kind != Opened || events[1].Socket.ID != moved.ID {
		t.Fatalf("got %v, want a close of the old ID and an open of the new", events)
	}
}

// A Differ's index is made again when diffs become much smaller than the
// room it has: under the ebpf source a check diffs the whole table every
// 10 s and the UDP sockets alone are diffed between, and the room a
// check's 100k sockets left in the index (~3 MB) was kept between checks.
func TestDifferLetsABigIndexGoBetweenBigDiffs(t *testing.T) {
	const n = 100_000
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	table := func(n int, proto Proto, at time.Time) Snapshot {
		s := Snapshot{Time: at, Sockets: make([]Socket, n)}
		for i := range s.Sockets {
			s.Sockets[i] = Socket{ID: ID{Cookie: uint64(i + 1), Proto: proto,
				Local: netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, byte(i >> 8), byte(i)}), uint16(i))}}
		}
		return s
	}
	heap := heapAfterGC
	var d Differ
	first := table(n, TCP, t0)
	d.Diff(Snapshot{}, &first)
	check := table(n, TCP, t0.Add(time.Second))
	if ev := d.Diff(first, &check); len(ev) != 0 {
		t.Fatalf("%d events between two equal tables", len(ev))
	}
	first, check = Snapshot{}, Snapshot{}
	afterCheck := heap()
	udp, udpNext := table(10, UDP, t0.Add(2*time.Second)), table(11, UDP, t0.Add(3*time.Second))
	if ev := d.Diff(udp, &udpNext); len(ev) != 1 || ev[0].Kind != Opened {
		t.Fatalf("UDP diff: %v, want one open", ev)
	}
	if held := int64(heap()) - int64(afterCheck); held > -(1 << 20) {
		t.Errorf("the index held %d bytes more after a diff of 10 sockets than after one of %d, want 1 MB less at least", held, n)
	}
	runtime.KeepAlive(&d)
}
