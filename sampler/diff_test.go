package sampler

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// sock builds a socket from "proto local remote state", e.g.
// "tcp 127.0.0.1:5000 127.0.0.1:80 ESTABLISHED"; a trailing "#n" sets the cookie.
func sock(t testing.TB, spec string) Socket {
	t.Helper()
	f := strings.Fields(spec)
	var s Socket
	s.UID = -1
	if n := len(f); n > 0 && strings.HasPrefix(f[n-1], "#") {
		if _, err := fmt.Sscan(f[n-1][1:], &s.Cookie); err != nil {
			t.Fatalf("bad cookie in %q: %v", spec, err)
		}
		f = f[:n-1]
	}
	if len(f) != 4 {
		t.Fatalf("bad socket spec %q", spec)
	}
	var ok bool
	if s.Proto, ok = ParseProto(f[0]); !ok {
		t.Fatalf("bad proto in %q", spec)
	}
	s.Local = netip.MustParseAddrPort(f[1])
	s.Remote = netip.MustParseAddrPort(f[2])
	if s.State, ok = ParseState(f[3]); !ok {
		t.Fatalf("bad state in %q", spec)
	}
	return s
}

func snap(t testing.TB, at time.Time, specs ...string) Snapshot {
	t.Helper()
	s := Snapshot{Time: at}
	for _, spec := range specs {
		s.Sockets = append(s.Sockets, sock(t, spec))
	}
	return s
}

// describe renders events as "kind local remote state [extra]" lines.
func describe(events []Event) []string {
	var out []string
	for _, e := range events {
		line := fmt.Sprintf("%s %s %s %s", e.Kind, e.Socket.Local, e.Socket.Remote, e.Socket.State)
		if e.Socket.Cookie != 0 {
			line += fmt.Sprintf(" #%d", e.Socket.Cookie)
		}
		switch e.Kind {
		case StateChanged:
			line += " from " + e.PrevState.String()
		case Closed:
			line += " held " + e.Held.String()
		}
		out = append(out, line)
	}
	return out
}

func TestDiffEvents(t *testing.T) {
	t1 := t0.Add(time.Second)
	cases := []struct {
		name       string
		prev, next []string
		want       []string
	}{
		{name: "both empty"},
		{
			name: "first seen",
			next: []string{"tcp 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED", "udp 0.0.0.0:53 0.0.0.0:0 NONE"},
			want: []string{"open 0.0.0.0:53 0.0.0.0:0 ", "open 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED"},
		},
		{
			name: "all gone",
			prev: []string{"tcp 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED"},
			want: []string{"close 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED held 1s"},
		},
		{
			name: "unchanged",
			prev: []string{"tcp 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED"},
			next: []string{"tcp 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED"},
		},
		{
			name: "state change",
			prev: []string{"tcp 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED"},
			next: []string{"tcp 127.0.0.1:5001 127.0.0.1:80 TIME_WAIT"},
			want: []string{"state 127.0.0.1:5001 127.0.0.1:80 TIME_WAIT from ESTABLISHED"},
		},
		{
			name: "port reused with another remote",
			prev: []string{"tcp 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED"},
			next: []string{"tcp 127.0.0.1:5001 127.0.0.1:81 ESTABLISHED"},
			want: []string{
				"close 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED held 1s",
				"open 127.0.0.1:5001 127.0.0.1:81 ESTABLISHED",
			},
		},
		{
			name: "port reused by a new socket with the same addresses",
			prev: []string{"tcp 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED #7"},
			next: []string{"tcp 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED #8"},
			want: []string{
				"close 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED #7 held 1s",
				"open 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED #8",
			},
		},
		{
			name: "same port, other protocol is another socket",
			prev: []string{"tcp 0.0.0.0:53 0.0.0.0:0 LISTEN"},
			next: []string{"tcp 0.0.0.0:53 0.0.0.0:0 LISTEN", "udp 0.0.0.0:53 0.0.0.0:0 NONE"},
			want: []string{"open 0.0.0.0:53 0.0.0.0:0 "},
		},
		{
			name: "order: closes, changes, opens, each by local port",
			prev: []string{
				"tcp 127.0.0.1:9000 127.0.0.1:80 ESTABLISHED",
				"tcp 127.0.0.1:7000 127.0.0.1:80 ESTABLISHED",
				"tcp 127.0.0.1:8000 127.0.0.1:80 ESTABLISHED",
				"tcp 127.0.0.1:6000 127.0.0.1:80 SYN_SENT",
			},
			next: []string{
				"tcp 127.0.0.1:6000 127.0.0.1:80 ESTABLISHED",
				"tcp 127.0.0.1:3000 127.0.0.1:80 ESTABLISHED",
				"tcp 127.0.0.1:2000 127.0.0.1:80 ESTABLISHED",
				"tcp [::1]:2000 [::1]:80 ESTABLISHED",
			},
			want: []string{
				"close 127.0.0.1:7000 127.0.0.1:80 ESTABLISHED held 1s",
				"close 127.0.0.1:8000 127.0.0.1:80 ESTABLISHED held 1s",
				"close 127.0.0.1:9000 127.0.0.1:80 ESTABLISHED held 1s",
				"state 127.0.0.1:6000 127.0.0.1:80 ESTABLISHED from SYN_SENT",
				"open 127.0.0.1:2000 127.0.0.1:80 ESTABLISHED",
				"open [::1]:2000 [::1]:80 ESTABLISHED",
				"open 127.0.0.1:3000 127.0.0.1:80 ESTABLISHED",
			},
		},
		{
			name: "duplicate rows count once",
			prev: []string{"tcp 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED", "tcp 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED"},
			next: []string{"tcp 127.0.0.1:6001 127.0.0.1:80 ESTABLISHED", "tcp 127.0.0.1:6001 127.0.0.1:80 ESTABLISHED"},
			want: []string{
				"close 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED held 1s",
				"open 127.0.0.1:6001 127.0.0.1:80 ESTABLISHED",
			},
		},
	}
	var reused Differ // one Differ across cases: its reused index must not leak between calls
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prev := snap(t, t0, c.prev...)
			for i := range prev.Sockets {
				prev.Sockets[i].Since = StampOf(t0)
			}
			for _, d := range []*Differ{&reused, new(Differ)} {
				next := snap(t, t1, c.next...)
				got := describe(d.Diff(prev, &next))
				if !slices.Equal(got, c.want) {
					t.Errorf("events:\n got %q\nwant %q", got, c.want)
				}
			}
		})
	}
}

func TestDiffStampsAndCarriesOver(t *testing.T) {
	t1, t2 := t0.Add(time.Second), t0.Add(3*time.Second)
	first := snap(t, t0,
		"tcp 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED",
		"tcp 127.0.0.1:5002 127.0.0.1:80 ESTABLISHED")
	first.Sockets[0].PID, first.Sockets[0].Process, first.Sockets[0].UID = 42, "curl", 1000
	var d Differ
	events := d.Diff(Snapshot{}, &first)
	if len(events) != 2 {
		t.Fatalf("first sample: %d events, want 2", len(events))
	}
	for i, s := range first.Sockets {
		if !s.Since.Time().Equal(t0) {
			t.Errorf("first sample socket %d: Since %v, want %v", i, s.Since, t0)
		}
		if !events[i].Time.Equal(t0) || !events[i].Socket.Since.Time().Equal(t0) {
			t.Errorf("open event %d: Time %v Since %v, want both %v", i, events[i].Time, events[i].Socket.Since, t0)
		}
	}

	// The same sockets, but attribution lost on one: it is carried over.
	second := snap(t, t1,
		"tcp 127.0.0.1:5001 127.0.0.1:80 CLOSE_WAIT",
		"tcp 127.0.0.1:5002 127.0.0.1:80 ESTABLISHED")
	events = d.Diff(first, &second)
	s := second.Sockets[0]
	if s.PID != 42 || s.Process != "curl" || s.UID != 1000 || !s.Owner.Gone {
		t.Errorf("attribution not carried over as the last owner: pid %d process %q uid %d gone %v", s.PID, s.Process, s.UID, s.Owner.Gone)
	}
	if second.Sockets[1].Owner.Gone {
		t.Error("a socket with no owner before has no owner gone")
	}

	// With an inode a file still holds the socket: the owner is carried
	// over but not gone (this user may just not be able to read it now).
	held := snap(t, t1, "tcp 127.0.0.1:5003 127.0.0.1:80 ESTABLISHED")
	held.Sockets[0].PID, held.Sockets[0].Process, held.Sockets[0].Inode = 44, "agent", 9001
	unseen := snap(t, t2, "tcp 127.0.0.1:5003 127.0.0.1:80 ESTABLISHED")
	unseen.Sockets[0].Inode = 9001
	var d2 Differ
	d2.Diff(Snapshot{}, &held)
	d2.Diff(held, &unseen)
	if u := unseen.Sockets[0]; u.PID != 44 || u.Owner.Gone {
		t.Errorf("socket with an inode whose owner is unseen: pid %d gone %v, want 44 carried, not gone", u.PID, u.Owner.Gone)
	}
	if !s.Since.Time().Equal(t0) || !second.Sockets[1].Since.Time().Equal(t0) {
		t.Errorf("Since not carried over: %v, %v", s.Since, second.Sockets[1].Since)
	}
	if len(events) != 1 || events[0].Kind != StateChanged || events[0].Socket.PID != 42 ||
		!events[0].Time.Equal(t1) || events[0].PrevState != StateEstablished {
		t.Fatalf("want one state change at t1 carrying pid 42, got %+v", events)
	}

	// A new pid wins over the carried one.
	third := snap(t, t2, "tcp 127.0.0.1:5001 127.0.0.1:80 CLOSE_WAIT")
	third.Sockets[0].PID, third.Sockets[0].Process = 43, "wget"
	events = d.Diff(second, &third)
	if third.Sockets[0].PID != 43 || third.Sockets[0].Process != "wget" || third.Sockets[0].Owner.Gone {
		t.Errorf("fresh attribution overwritten, or its owner marked gone: %+v", third.Sockets[0])
	}
	if len(events) != 1 || events[0].Kind != Closed || events[0].Held != 3*time.Second || !events[0].Time.Equal(t2) {
		t.Fatalf("want one close held 3s at t2, got %+v", events)
	}
	if events[0].Socket.Local.Port() != 5002 || !events[0].Socket.Since.Time().Equal(t0) {
		t.Errorf("close should carry the socket as last seen, got %+v", events[0].Socket)
	}
}

func TestDiffUnstampedPrev(t *testing.T) {
	prev := snap(t, t0, "udp 0.0.0.0:53 0.0.0.0:0 NONE")
	next := snap(t, t0.Add(time.Second), "udp 0.0.0.0:53 0.0.0.0:0 NONE")
	if ev := Diff(prev, &next); len(ev) != 0 {
		t.Fatalf("unexpected events %v", describe(ev))
	}
	if !next.Sockets[0].Since.Time().Equal(t0) {
		t.Errorf("unstamped prev: Since %v, want prev.Time %v", next.Sockets[0].Since, t0)
	}
}

// randomSnapshot draws n sockets from a small space so that successive
// snapshots overlap, differ in state, and reuse ports.
func randomSnapshot(r *rand.Rand, at time.Time, n int) Snapshot {
	s := Snapshot{Time: at}
	for range n {
		proto := TCP
		if r.IntN(4) == 0 {
			proto = UDP
		}
		state := State(1 + r.IntN(11))
		if proto == UDP {
			state = StateNone
		}
		s.Sockets = append(s.Sockets, Socket{
			ID: ID{
				Cookie: uint64(r.IntN(3)),
				Proto:  proto,
				Local:  netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(40000+r.IntN(n+1))),
				Remote: netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(80+r.IntN(2))),
			},
			State: state,
			Owner: Owner{UID: -1},
		})
	}
	// The same socket twice in one table is not a table: keep the first.
	seen := map[ID]bool{}
	s.Sockets = slices.DeleteFunc(s.Sockets, func(x Socket) bool {
		dup := seen[x.ID]
		seen[x.ID] = true
		return dup
	})
	return s
}

func bySocketKey(s []Socket) []string {
	var out []string
	for _, x := range s {
		out = append(out, fmt.Sprintf("%v %v %v %v #%d %s since %s", x.Proto, x.Local, x.Remote, x.State, x.Cookie, x.Process, x.Since.Time().Format(time.RFC3339Nano)))
	}
	slices.Sort(out)
	return out
}

func TestApplyInvertsDiff(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var d Differ
	prev := Snapshot{}
	for round := range 300 {
		next := randomSnapshot(r, t0.Add(time.Duration(round)*time.Second), r.IntN(40))
		events := d.Diff(prev, &next)
		got := Apply(prev, events)
		if g, w := bySocketKey(got.Sockets), bySocketKey(next.Sockets); !slices.Equal(g, w) {
			t.Fatalf("round %d: Apply(prev, Diff(prev, next)) != next\n got %q\nwant %q\nevents %q", round, g, w, describe(events))
		}
		if len(events) > 0 && !got.Time.Equal(next.Time) {
			t.Fatalf("round %d: time %v, want %v", round, got.Time, next.Time)
		}
		prev = next
	}
}

func TestApplyMergedBatch(t *testing.T) {
	base := snap(t, t0, "tcp 127.0.0.1:5001 127.0.0.1:80 ESTABLISHED")
	gone := sock(t, "tcp 127.0.0.1:6001 127.0.0.1:80 ESTABLISHED")
	tw := base.Sockets[0]
	tw.State = StateTimeWait
	events := []Event{
		{Kind: Opened, Time: t0.Add(1), Socket: gone, SeenAtEnd: true},
		{Kind: Closed, Time: t0.Add(1), Socket: gone, SeenAtEnd: true},
		{Kind: StateChanged, Time: t0.Add(2), Socket: tw, PrevState: StateEstablished},
		{Kind: Closed, Time: t0.Add(3), Socket: sock(t, "udp 0.0.0.0:9 0.0.0.0:0 NONE")}, // unknown: ignored
	}
	got := Apply(base, events)
	if want := []string{"tcp 127.0.0.1:5001 127.0.0.1:80 TIME_WAIT #0  since 0001-01-01T00:00:00Z"}; !slices.Equal(bySocketKey(got.Sockets), want) {
		t.Errorf("got %q, want %q", bySocketKey(got.Sockets), want)
	}
	if !got.Time.Equal(t0.Add(3)) {
		t.Errorf("time %v, want %v", got.Time, t0.Add(3))
	}
	if base.Sockets[0].State != StateEstablished {
		t.Error("Apply modified prev")
	}
}
