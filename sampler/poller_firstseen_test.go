package sampler

import (
	"context"
	"testing"
	"time"
)

// A poller started beside another sampling (the live view's filtered one)
// keeps the first-seen times that sampling knew: matched by cookie, or by
// the whole ID for a socket without one, for the first sample only.
func TestPollerCarriesFirstSeenToItsFirstSample(t *testing.T) {
	const noCookie = "tcp 127.0.0.1:8765 127.0.0.1:40020 ESTABLISHED"
	wide := snap(t, at(0), sockA, noCookie, sockB)
	wide.Sockets[0].Since = at(-20)
	wide.Sockets[1].Since = at(-15)
	wide.Sockets[2].Since = at(-9)
	seen := FirstSeenOf(wide.Sockets, Query{Ports: []PortRange{{Lo: 40001, Hi: 40001}, {Lo: 8765, Hi: 8765}}})
	if seen.Len() != 2 {
		t.Fatalf("FirstSeenOf kept %d sockets, want the 2 the query covers", seen.Len())
	}

	ctx := context.Background()
	p, _ := newTestPoller(t, PollerConfig{FirstSeen: seen},
		ok(snap(t, at(1), sockA, noCookie, sockC)),
		ok(snap(t, at(2), noCookie, sockC)),
	)
	p.sample(ctx)
	b := take(t, p)
	wantSince := map[uint16]time.Time{40001: at(-20), 8765: at(-15), 40003: at(1)}
	for _, s := range b.Snapshot.Sockets {
		if !s.Since.Equal(wantSince[s.Local.Port()]) {
			t.Errorf("table: %v since %v, want %v", s.Local, s.Since, wantSince[s.Local.Port()])
		}
	}
	for _, e := range b.Events {
		if !e.Socket.Since.Equal(wantSince[e.Socket.Local.Port()]) {
			t.Errorf("%s %v since %v, want %v", e.Kind, e.Socket.Local, e.Socket.Since, wantSince[e.Socket.Local.Port()])
		}
	}
	p.sample(ctx)
	b = take(t, p)
	wantKinds(t, b.Events, "close 127.0.0.1:40001")
	if h := b.Events[0].Held; h != 22*time.Second {
		t.Errorf("held %v, want 22s: from when the machine-wide sampling first saw it", h)
	}
}

// Only the first sample takes the times over; a time later than that
// sample's own is not taken.
func TestPollerFirstSeenOnlyForFirstSample(t *testing.T) {
	later := sock(t, sockA)
	later.Since = at(5)
	b := sock(t, sockB)
	b.Since = at(-30)
	seen := FirstSeenOf([]Socket{later, b}, Query{})

	ctx := context.Background()
	p, _ := newTestPoller(t, PollerConfig{FirstSeen: seen},
		ok(snap(t, at(1), sockA)),
		ok(snap(t, at(2), sockA, sockB)),
	)
	p.sample(ctx)
	if s := take(t, p).Snapshot.Sockets[0]; !s.Since.Equal(at(1)) {
		t.Errorf("since %v, want the sample's %v: a first-seen time after it is not taken", s.Since, at(1))
	}
	p.sample(ctx)
	for _, e := range take(t, p).Events {
		if !e.Socket.Since.Equal(at(2)) {
			t.Errorf("%s %v since %v, want %v: opened after the first sample", e.Kind, e.Socket.Local, e.Socket.Since, at(2))
		}
	}
}

func TestFirstSeenAddKeepsTheEarlier(t *testing.T) {
	a, b := sock(t, sockA), sock(t, sockB)
	a.Since, b.Since = at(-5), at(-3)
	seen := FirstSeenOf([]Socket{a, b}, Query{})
	a.Since, b.Since = at(-8), at(-1)
	unstamped := sock(t, sockC)
	seen.Add([]Socket{a, b, unstamped}, Query{})
	for _, c := range []struct {
		s    Socket
		want time.Time
	}{{a, at(-8)}, {b, at(-3)}} {
		if got, ok := seen.Of(&c.s); !ok || !got.Equal(c.want) {
			t.Errorf("%v: first seen %v (known %v), want %v", c.s.Local, got, ok, c.want)
		}
	}
	if _, ok := seen.Of(&unstamped); ok {
		t.Error("a socket never stamped should not be known")
	}
}

// What the live view pays, on its own goroutine, to start a focus on a
// broad range over a big table: every socket matches.
func BenchmarkFirstSeenOf(b *testing.B) {
	socks := make([]Socket, 100_000)
	for i := range socks {
		socks[i] = sock(b, "tcp 127.0.0.1:40001 127.0.0.1:80 ESTABLISHED")
		socks[i].Cookie = uint64(i + 1)
		socks[i].Since = at(i % 60)
	}
	q := Query{Ports: []PortRange{{Lo: 1, Hi: 65535}}}
	b.ReportAllocs()
	for b.Loop() {
		if seen := FirstSeenOf(socks, q); seen.Len() != len(socks) {
			b.Fatal("lost sockets")
		}
	}
}

// The owner another sampling knew comes over too where the first sample has
// none: a TIME_WAIT socket, which no dump gives a process, keeps the one
// that last held it when the view switches to its filtered sampling.
func TestPollerCarriesOwnersToItsFirstSample(t *testing.T) {
	known := sock(t, sockA)
	known.Since, known.PID, known.Process, known.UID = at(-20), 4000, "curl", 1000
	seen := FirstSeenOf([]Socket{known}, Query{})
	waiting := snap(t, at(1), sockA, sockB)
	waiting.Sockets[0].PID, waiting.Sockets[0].Process, waiting.Sockets[0].UID = 0, "", -1
	waiting.Sockets[1].PID, waiting.Sockets[1].Process = 77, "other"

	p, _ := newTestPoller(t, PollerConfig{FirstSeen: seen}, ok(waiting))
	p.sample(context.Background())
	b := take(t, p)
	for _, s := range b.Snapshot.Sockets {
		switch s.Local.Port() {
		case known.Local.Port():
			if s.PID != 4000 || s.Process != "curl" || s.UID != 1000 || !s.Owner.Gone {
				t.Errorf("%v: pid %d %q uid %d gone %v, want 4000 curl 1000 from the other sampling, as its last owner", s.Local, s.PID, s.Process, s.UID, s.Owner.Gone)
			}
		default:
			if s.PID != 77 || s.Process != "other" {
				t.Errorf("%v: pid %d %q, want its own 77 other", s.Local, s.PID, s.Process)
			}
		}
	}
	for _, e := range b.Events {
		if e.Socket.Local == known.Local && e.Socket.Process != "curl" {
			t.Errorf("%s event for %v names %q, want curl", e.Kind, e.Socket.Local, e.Socket.Process)
		}
	}
}
