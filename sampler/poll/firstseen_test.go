package poll

import (
	"context"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// A poller started beside another sampling (the live view's filtered one)
// keeps the first-seen times that sampling knew: matched by cookie, or by
// the whole ID for a socket without one, for the first sample only.
func TestPollerCarriesFirstSeenToItsFirstSample(t *testing.T) {
	const noCookie = "tcp 127.0.0.1:8765 127.0.0.1:40020 ESTABLISHED"
	wide := snap(t, at(0), sockA, noCookie, sockB)
	wide.Sockets[0].Since = sampler.StampOf(at(-20))
	wide.Sockets[1].Since = sampler.StampOf(at(-15))
	wide.Sockets[2].Since = sampler.StampOf(at(-9))
	seen := sampler.FirstSeenOf(wide.Sockets, sampler.Query{Ports: []sampler.PortRange{{Lo: 40001, Hi: 40001}, {Lo: 8765, Hi: 8765}}})
	if seen.Len() != 2 {
		t.Fatalf("FirstSeenOf kept %d sockets, want the 2 the query covers", seen.Len())
	}

	ctx := context.Background()
	p, _ := newTestPoller(t, Config{FirstSeen: seen},
		ok(snap(t, at(1), sockA, noCookie, sockC)),
		ok(snap(t, at(2), noCookie, sockC)),
	)
	p.sample(ctx)
	b := take(t, p)
	wantSince := map[uint16]time.Time{40001: at(-20), 8765: at(-15), 40003: at(1)}
	for _, s := range b.Snapshot.Sockets {
		if !s.Since.Time().Equal(wantSince[s.Local.Port()]) {
			t.Errorf("table: %v since %v, want %v", s.Local, s.Since, wantSince[s.Local.Port()])
		}
	}
	for _, e := range b.Events {
		if !e.Socket.Since.Time().Equal(wantSince[e.Socket.Local.Port()]) {
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
	later.Since = sampler.StampOf(at(5))
	b := sock(t, sockB)
	b.Since = sampler.StampOf(at(-30))
	seen := sampler.FirstSeenOf([]sampler.Socket{later, b}, sampler.Query{})

	ctx := context.Background()
	p, _ := newTestPoller(t, Config{FirstSeen: seen},
		ok(snap(t, at(1), sockA)),
		ok(snap(t, at(2), sockA, sockB)),
	)
	p.sample(ctx)
	if s := take(t, p).Snapshot.Sockets[0]; !s.Since.Time().Equal(at(1)) {
		t.Errorf("since %v, want the sample's %v: a first-seen time after it is not taken", s.Since, at(1))
	}
	p.sample(ctx)
	for _, e := range take(t, p).Events {
		if !e.Socket.Since.Time().Equal(at(2)) {
			t.Errorf("%s %v since %v, want %v: opened after the first sample", e.Kind, e.Socket.Local, e.Socket.Since, at(2))
		}
	}
}

// The owner another sampling knew comes over too where the first sample has
// none: a TIME_WAIT socket, which no dump gives a process, keeps the one
// that last held it when the view switches to its filtered sampling.
func TestPollerCarriesOwnersToItsFirstSample(t *testing.T) {
	known := sock(t, sockA)
	known.Since, known.PID, known.Process, known.UID = sampler.StampOf(at(-20)), 4000, "curl", 1000
	seen := sampler.FirstSeenOf([]sampler.Socket{known}, sampler.Query{})
	waiting := snap(t, at(1), sockA, sockB)
	waiting.Sockets[0].PID, waiting.Sockets[0].Process, waiting.Sockets[0].UID = 0, "", -1
	waiting.Sockets[1].PID, waiting.Sockets[1].Process = 77, "other"

	p, _ := newTestPoller(t, Config{FirstSeen: seen}, ok(waiting))
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
