package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// The machine-wide poller moves an event's Time forward to keep its stream
// in order (the release of a socket received while a dump was in flight
// goes out stamped at the dump's end); coverage is judged on when the event
// happened, so such a close counts or not as it would unmoved.

// A socket on the filtered port closes just before the focus starts (its
// first sample, at 3s, no longer sees it). The machine-wide close, released
// at 2s but moved to 3.5s, falls in the focus's span by Time only: it must
// be kept, or the feed loses it and the port history keeps the port in use.
func TestCloseMovedIntoFocusSpanIsKept(t *testing.T) {
	for _, c := range []struct {
		name     string
		stamped  time.Duration
		happened time.Duration // 0: not moved
	}{
		{"stamped at the release (before the focus)", 2 * time.Second, 0},
		{"moved up to the dump's end", 3500 * time.Millisecond, 2 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, focus := newFocusModel(t)
			y := sock(sampler.TCP, "10.0.0.5:60716", "10.0.0.9:8443", sampler.StateEstablished, 4100, "wget", t0.Add(time.Second))
			m = update(m, nextBatchMsg(t0.Add(time.Second), append(baseSockets(), y), sampler.Event{Kind: sampler.Opened, Time: t0.Add(time.Second), Socket: y}))
			m = applyFilter(t, m, "60716")
			gen := focus.asked[len(focus.asked)-1].gen
			m = update(m, focusMsg{Gen: gen, Batch: sampler.Batch{
				Snapshot: sampler.Snapshot{Time: t0.Add(3 * time.Second)}, Interval: 100 * time.Millisecond, Samples: 1, Source: "netlink",
			}})
			closed := sampler.Event{Kind: sampler.Closed, Time: t0.Add(c.stamped), Socket: y, Held: time.Second}
			if c.happened > 0 {
				closed.Happened = t0.Add(c.happened)
			}
			m = update(m, nextBatchMsg(t0.Add(3500*time.Millisecond), baseSockets(), closed))
			if h := m.history.Port(sampler.TCP, 60716); h.InUse != 0 {
				t.Errorf("port 60716 history: InUse %d after its only socket closed (close dropped as covered by the focus)", h.InUse)
			}
			if v := m.feed.View(m.now(), false); !strings.Contains(v, "held") {
				t.Errorf("feed has no close of 60716:\n%s", v)
			}
		})
	}
}

// The other edge: the focus reported z's close at 2s and ended (filter
// cleared) having covered 1.1s..2.1s. The machine-wide close, released at
// 2s but moved to 2.5s, is past the ended span by Time only: it must be
// dropped, or the feed shows z's close twice.
func TestCloseMovedPastEndedFocusIsNotRepeated(t *testing.T) {
	for _, c := range []struct {
		name     string
		stamped  time.Duration
		happened time.Duration
	}{
		{"stamped at the release", 2 * time.Second, 0},
		{"moved up to the dump's end", 2500 * time.Millisecond, 2 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, focus := newFocusModel(t)
			z := sock(sampler.TCP, "10.0.0.5:60716", "10.0.0.9:8443", sampler.StateEstablished, 4100, "wget", t0.Add(time.Second))
			m = update(m, nextBatchMsg(t0.Add(time.Second), append(baseSockets(), z), sampler.Event{Kind: sampler.Opened, Time: t0.Add(time.Second), Socket: z}))
			m = applyFilter(t, m, "60716")
			gen := focus.asked[len(focus.asked)-1].gen
			m = update(m, focusMsg{Gen: gen, Batch: sampler.Batch{
				Snapshot: sampler.Snapshot{Time: t0.Add(1100 * time.Millisecond), Sockets: []sampler.Socket{z}},
				Events:   []sampler.Event{{Kind: sampler.Opened, Time: t0.Add(1100 * time.Millisecond), Socket: z, Existing: true}},
				Interval: 100 * time.Millisecond, Samples: 1, Source: "netlink",
			}})
			m = update(m, focusMsg{Gen: gen, Batch: sampler.Batch{
				Snapshot: sampler.Snapshot{Time: t0.Add(2100 * time.Millisecond)},
				Events:   []sampler.Event{{Kind: sampler.Closed, Time: t0.Add(2 * time.Second), Socket: z, Held: time.Second}},
				Interval: 100 * time.Millisecond, Samples: 1, Source: "netlink",
			}})
			m = run(t, m, esc())
			closed := sampler.Event{Kind: sampler.Closed, Time: t0.Add(c.stamped), Socket: z, Held: time.Second}
			if c.happened > 0 {
				closed.Happened = t0.Add(c.happened)
			}
			m = update(m, nextBatchMsg(t0.Add(2500*time.Millisecond), baseSockets(), closed))
			if n := strings.Count(m.feed.View(m.now(), false), "60716/tcp wget held"); n != 1 {
				t.Errorf("feed shows z's close %d times, want 1", n)
			}
		})
	}
}
