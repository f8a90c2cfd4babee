package history

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/porttop/porttop/sampler"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

func tcpSock(local, remote uint16, state sampler.State, pid int32, proc string) sampler.Socket {
	return sampler.Socket{
		ID: sampler.ID{Proto: sampler.TCP,
			Local:  netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), local),
			Remote: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), remote)},
		State: state,
		Owner: sampler.Owner{PID: pid, Process: proc, UID: 1000},
	}
}

func open(sec int, s sampler.Socket) sampler.Event {
	s.Since = sampler.StampOf(at(sec))
	return sampler.Event{Kind: sampler.Opened, Time: at(sec), Socket: s}
}

func closeAt(sec, openedSec int, s sampler.Socket) sampler.Event {
	s.Since = sampler.StampOf(at(openedSec))
	return sampler.Event{Kind: sampler.Closed, Time: at(sec), Socket: s, Held: time.Duration(sec-openedSec) * time.Second}
}

func TestPortHistory(t *testing.T) {
	curl := tcpSock(60716, 443, sampler.StateEstablished, 4242, "curl")
	curlTW := curl
	curlTW.State = sampler.StateTimeWait
	wget := tcpSock(60716, 80, sampler.StateEstablished, 5151, "wget")
	existing := open(0, tcpSock(22, 50000, sampler.StateEstablished, 812, "sshd"))
	existing.Existing = true

	cases := []struct {
		name   string
		events []sampler.Event
		port   uint16
		want   PortHistory
	}{
		{"never seen", nil, 60716, PortHistory{}},
		{
			"open now", []sampler.Event{open(1, curl)}, 60716,
			PortHistory{HandedOut: 1, InUse: 1, LastSeen: at(1),
				LastUse: Use{Opened: at(1), Process: "curl", PID: 4242, Remote: curl.Remote, State: sampler.StateEstablished},
				Recent:  []Use{{Opened: at(1), Process: "curl", PID: 4242, Remote: curl.Remote, State: sampler.StateEstablished}}},
		},
		{
			"open, time-wait, closed, reused by wget",
			[]sampler.Event{
				open(1, curl),
				{Kind: sampler.StateChanged, Time: at(3), Socket: curlTW, PrevState: sampler.StateEstablished},
				closeAt(5, 1, curlTW),
				open(7, wget),
			}, 60716,
			PortHistory{HandedOut: 2, InUse: 1, LastSeen: at(7), LastFree: at(5), TotalHeld: 4 * time.Second,
				LastUse: Use{Opened: at(7), Process: "wget", PID: 5151, Remote: wget.Remote, State: sampler.StateEstablished},
				Recent: []Use{
					{Opened: at(7), Process: "wget", PID: 5151, Remote: wget.Remote, State: sampler.StateEstablished},
					{Opened: at(1), Closed: at(5), Held: 4 * time.Second, Process: "curl", PID: 4242, Remote: curl.Remote, State: sampler.StateTimeWait},
				}},
		},
		{
			"existing sockets are in use but not handed out", []sampler.Event{existing}, 22,
			PortHistory{InUse: 1, LastSeen: at(0),
				LastUse: Use{Opened: at(0), Process: "sshd", PID: 812, Remote: existing.Socket.Remote, State: sampler.StateEstablished},
				Recent:  []Use{{Opened: at(0), Process: "sshd", PID: 812, Remote: existing.Socket.Remote, State: sampler.StateEstablished}}},
		},
		{
			"close never opened (before porttop) keeps InUse at 0", []sampler.Event{closeAt(9, 2, curl)}, 60716,
			PortHistory{LastSeen: at(9), LastFree: at(9), TotalHeld: 7 * time.Second,
				LastUse: Use{Opened: at(2), Closed: at(9), Held: 7 * time.Second, Process: "curl", PID: 4242, Remote: curl.Remote, State: sampler.StateEstablished},
				Recent:  []Use{{Opened: at(2), Closed: at(9), Held: 7 * time.Second, Process: "curl", PID: 4242, Remote: curl.Remote, State: sampler.StateEstablished}}},
		},
		{
			"two sockets share a port: free only when both are gone",
			[]sampler.Event{open(1, curl), open(2, wget), closeAt(3, 1, curl)}, 60716,
			PortHistory{HandedOut: 2, InUse: 1, LastSeen: at(3), TotalHeld: 2 * time.Second,
				LastUse: Use{Opened: at(2), Process: "wget", PID: 5151, Remote: wget.Remote, State: sampler.StateEstablished},
				Recent: []Use{
					{Opened: at(2), Process: "wget", PID: 5151, Remote: wget.Remote, State: sampler.StateEstablished},
					{Opened: at(1), Closed: at(3), Held: 2 * time.Second, Process: "curl", PID: 4242, Remote: curl.Remote, State: sampler.StateEstablished},
				}},
		},
	}
	for _, c := range cases {
		tr := NewTracker(16)
		tr.Observe(c.events)
		got := norm(tr.Port(sampler.TCP, c.port))
		if !reflect.DeepEqual(got, norm(c.want)) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
		if udp := tr.Port(sampler.UDP, c.port); !reflect.DeepEqual(udp, PortHistory{}) {
			t.Errorf("%s: udp history should be empty, got %+v", c.name, udp)
		}
	}
}

func TestRecentIsBounded(t *testing.T) {
	tr := NewTracker(4)
	for i := range 20 {
		s := tcpSock(40000, uint16(1000+i), sampler.StateEstablished, int32(i+1), "worker")
		tr.Observe([]sampler.Event{open(2*i, s), closeAt(2*i+1, 2*i, s)})
	}
	h := tr.Port(sampler.TCP, 40000)
	if len(h.Recent) != RecentUses || h.HandedOut != 20 || h.InUse != 0 || h.TotalHeld != 20*time.Second {
		t.Fatalf("got %d recent, %d handed out, %d in use, held %v", len(h.Recent), h.HandedOut, h.InUse, h.TotalHeld)
	}
	if h.Recent[0].PID != 20 || h.Recent[RecentUses-1].PID != 20-RecentUses+1 {
		t.Errorf("recent not newest first: first pid %d, last pid %d", h.Recent[0].PID, h.Recent[RecentUses-1].PID)
	}
	if !h.LastFree.Equal(at(39)) || !h.LastSeen.Equal(at(39)) {
		t.Errorf("last free %v, last seen %v", h.LastFree, h.LastSeen)
	}
}

func TestEvictionKeepsExactSummary(t *testing.T) {
	tr := NewTracker(2)
	for i, port := range []uint16{1001, 1002, 1003} {
		s := tcpSock(port, 80, sampler.StateEstablished, int32(100+i), "client")
		tr.Observe([]sampler.Event{open(i, s), closeAt(i+10, i, s)})
	}
	if tr.DetailedPorts() != 2 {
		t.Fatalf("%d detailed ports, cap 2", tr.DetailedPorts())
	}
	h := norm(tr.Port(sampler.TCP, 1001)) // least recently active: evicted
	want := PortHistory{HandedOut: 1, LastSeen: at(10), LastFree: at(10), TotalHeld: 10 * time.Second,
		LastUse: Use{Process: "client", PID: 100}, DetailLost: true}
	if !reflect.DeepEqual(h, norm(want)) {
		t.Errorf("evicted port:\n got %+v\nwant %+v", h, want)
	}
	if h3 := tr.Port(sampler.TCP, 1003); h3.DetailLost || len(h3.Recent) != 1 {
		t.Errorf("recent port lost its detail: %+v", h3)
	}
	none := NewTracker(0)
	none.Observe([]sampler.Event{open(1, tcpSock(5000, 80, sampler.StateEstablished, 9, "nc"))})
	if h := none.Port(sampler.TCP, 5000); h.InUse != 1 || h.LastUse.Process != "nc" || h.Recent != nil || none.DetailedPorts() != 0 {
		t.Errorf("tracker without detail: %+v", h)
	}
}

func TestMergeProtocols(t *testing.T) {
	tr := NewTracker(16)
	u := sampler.Socket{ID: sampler.ID{Proto: sampler.UDP, Local: netip.MustParseAddrPort("127.0.0.1:5353")}, Owner: sampler.Owner{PID: 7, Process: "mdns"}}
	tc := tcpSock(5353, 80, sampler.StateEstablished, 8, "tcpthing")
	tr.Observe([]sampler.Event{open(1, tc), {Kind: sampler.Opened, Time: at(2), Socket: u}})
	h := tr.Port(0, 5353)
	if h.HandedOut != 2 || h.InUse != 2 || !h.LastSeen.Equal(at(2)) || h.LastUse.Process != "mdns" || len(h.Recent) != 2 || h.Recent[0].Process != "mdns" {
		t.Errorf("merged: %+v", h)
	}
	if h := tr.Port(sampler.Proto(9), 5353); !reflect.DeepEqual(h, PortHistory{}) {
		t.Errorf("unknown proto: %+v", h)
	}
}

// Millions of events on random ports: the detail map stays at its cap and
// the summary counts stay exact.
func TestMemoryBounded(t *testing.T) {
	const capacity = 4096
	n := 2_000_000
	if testing.Short() {
		n = 200_000
	}
	tr := NewTracker(capacity)
	r := rand.New(rand.NewPCG(1, 2))
	batch := make([]sampler.Event, 0, 1024)
	opens := map[uint16]int{}
	for i := 0; i < n; i++ {
		port := uint16(r.IntN(65536))
		s := tcpSock(port, 443, sampler.StateEstablished, int32(i), "p"+string(rune('a'+i%26)))
		s.Since = sampler.StampOf(t0)
		kind := sampler.Opened
		if i%2 == 1 {
			kind = sampler.Closed
		} else {
			opens[port]++
		}
		batch = append(batch, sampler.Event{Kind: kind, Time: t0.Add(time.Duration(i)), Socket: s})
		if len(batch) == cap(batch) {
			tr.Observe(batch)
			batch = batch[:0]
			if tr.DetailedPorts() > capacity || len(tr.detail) != tr.lru.Len() {
				t.Fatalf("after %d events: %d detailed ports, lru %d, cap %d", i+1, len(tr.detail), tr.lru.Len(), capacity)
			}
		}
	}
	tr.Observe(batch)
	if tr.DetailedPorts() != capacity {
		t.Errorf("%d detailed ports, want the cap %d", tr.DetailedPorts(), capacity)
	}
	for port, want := range opens {
		if got := tr.Port(sampler.TCP, port).HandedOut; got != want {
			t.Fatalf("port %d handed out %d, want %d", port, got, want)
		}
	}
}

func BenchmarkObserve(b *testing.B) {
	tr := NewTracker(4096)
	events := make([]sampler.Event, 1024)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range events {
		s := tcpSock(uint16(r.IntN(65536)), 443, sampler.StateEstablished, int32(i), "curl")
		events[i] = sampler.Event{Kind: sampler.EventKind(1 + i%2), Time: t0.Add(time.Duration(i)), Socket: s}
	}
	b.ReportAllocs()
	for b.Loop() {
		tr.Observe(events)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
}

// norm puts every time in UTC so that DeepEqual compares instants.
func norm(h PortHistory) PortHistory {
	h.LastSeen, h.LastFree = h.LastSeen.UTC(), h.LastFree.UTC()
	h.LastUse = normUse(h.LastUse)
	for i := range h.Recent {
		h.Recent[i] = normUse(h.Recent[i])
	}
	return h
}

func normUse(u Use) Use {
	u.Opened, u.Closed = u.Opened.UTC(), u.Closed.UTC()
	return u
}

func TestLastSeenFollowsTheClockWhileInUse(t *testing.T) {
	tr := NewTracker(16)
	a := tcpSock(50001, 80, sampler.StateEstablished, 1, "a")
	b := tcpSock(50002, 80, sampler.StateEstablished, 2, "b")
	steps := []struct {
		do   func()
		want time.Time
	}{
		{func() { tr.Observe([]sampler.Event{open(1, a)}) }, at(1)},
		{func() { tr.Observe([]sampler.Event{open(10, b)}) }, at(10)}, // a still open at 10
		{func() { tr.Advance(at(20)) }, at(20)},
		{func() { tr.Advance(time.Time{}) }, at(20)},
		{func() { tr.Observe([]sampler.Event{closeAt(25, 1, a)}) }, at(25)},
		{func() { tr.Observe([]sampler.Event{closeAt(30, 10, b)}) }, at(25)}, // a free since 25
		{func() { tr.Advance(at(40)) }, at(25)},
	}
	for i, s := range steps {
		s.do()
		if got := tr.Port(sampler.TCP, 50001).LastSeen; !got.Equal(s.want) {
			t.Errorf("step %d: last seen %v, want %v", i, got, s.want)
		}
	}
}

// TestTrackerHoldsThePortsUsed: a run that used the TCP ephemeral range
// (Linux's 32768-60999) holds the slots of those ports, not of all 65536
// of both protocols (6 MB), and still tells every port's history.
func TestTrackerHoldsThePortsUsed(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tr := NewTracker(0)
	var evs []sampler.Event
	for p := 32768; p <= 60999; p++ {
		evs = append(evs, open(1, tcpSock(uint16(p), 443, sampler.StateEstablished, 7, "curl")))
	}
	tr.Observe(evs)
	evs = nil
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	runtime.KeepAlive(tr)
	if held > 2<<20 {
		t.Errorf("the tracker holds %.1f MB for 28,232 ports used, want at most 2", float64(held)/(1<<20))
	}
	if h := tr.Port(sampler.TCP, 40000); h.InUse != 1 || h.LastUse.Process != "curl" {
		t.Errorf("port 40000: %+v, want one use by curl", h)
	}
	if h := tr.Port(sampler.UDP, 40000); h.InUse != 0 || !h.LastSeen.IsZero() {
		t.Errorf("udp port 40000, never used: %+v", h)
	}
}

// A close finds its own open among the uses of its port that differ
// only in the local address or the remote end, each use keeping only
// what the port does not say of its socket (TestEntrySize).
func TestCloseFindsItsOwnUse(t *testing.T) {
	mk := func(local, remote string, pid int32, proc string) sampler.Socket {
		s := tcpSock(40000, 443, sampler.StateEstablished, pid, proc)
		s.Local, s.Remote = netip.MustParseAddrPort(local), netip.MustParseAddrPort(remote)
		return s
	}
	a := mk("10.0.0.1:40000", "10.9.0.1:443", 7, "curl")
	b := mk("10.0.0.2:40000", "10.9.0.1:443", 8, "wget") // a's but the local address
	c := mk("10.0.0.2:40000", "10.9.0.2:443", 9, "nc")   // b's but the remote end
	tr := NewTracker(16)
	tr.Observe([]sampler.Event{open(1, b), open(1, c), open(1, a)}) // newest last
	tr.Observe([]sampler.Event{{Kind: sampler.Closed, Time: at(2), Socket: b}})
	h := tr.Port(sampler.TCP, 40000)
	if h.InUse != 2 || len(h.Recent) != 3 {
		t.Fatalf("%d in use, %d uses; want 2 and 3", h.InUse, len(h.Recent))
	}
	for _, u := range h.Recent {
		if closed := !u.Closed.IsZero(); closed != (u.Process == "wget") {
			t.Errorf("%s's use closed: %v; want wget's alone", u.Process, closed)
		}
	}
}

func TestEntrySize(t *testing.T) {
	if n := unsafe.Sizeof(entry{}); n > 160 {
		t.Errorf("a use's entry is %d bytes, want at most 160 (the whole ID took 80 of 200)", n)
	}
}
