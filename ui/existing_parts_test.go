package ui

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// firstInParts is first (a first sample's batch) as the poller hands it
// out with ExistingInParts: its opens per a batch, in the order of their
// IDs, the events before them in the first part, the table with each.
func firstInParts(first wideMsg, per int) []wideMsg {
	var before, opens []sampler.Event
	for _, e := range first.Batch.Events {
		if e.Existing {
			opens = append(opens, e)
		} else {
			before = append(before, e)
		}
	}
	var parts []wideMsg
	for from := 0; from < len(opens); from += per {
		b := first.Batch
		b.Events = slices.Clone(opens[from:min(from+per, len(opens))])
		if from == 0 {
			b.Events = append(slices.Clone(before), b.Events...)
		}
		b.ExistingToCome = from+per < len(opens)
		parts = append(parts, wideMsg{b})
	}
	return parts
}

// TestFirstSampleInPartsShowsAsOneBatch: the live view given the first
// sample's opens in parts (issue 14: never all at once) shows, once the
// last part is in, what it shows of them in one batch: the same screen
// (table, header, feed and its = line), the same port history, and the
// same again after a later batch and a filter. Before the last part the
// table shows nothing yet.
func TestFirstSampleInPartsShowsAsOneBatch(t *testing.T) {
	socks := baseSockets()
	gone := sock(sampler.TCP, "10.0.0.5:33000", "10.0.0.9:443", sampler.StateEstablished, 4100, "wget", t0.Add(-time.Minute))
	first := firstBatch(t0, socks)
	slices.SortFunc(first.Batch.Events, func(a, b sampler.Event) int { return sampler.CompareIDs(a.Socket.ID, b.Socket.ID) })
	// A close heard before the first sample comes ahead of its opens.
	first.Batch.Events = append([]sampler.Event{{Kind: sampler.Closed, Time: t0.Add(-50 * time.Millisecond), Socket: gone, Held: time.Minute}}, first.Batch.Events...)

	c1, c2 := &clock{t0}, &clock{t0}
	one, parts := newTestModel(t, c1, 120, 30), newTestModel(t, c2, 120, 30)
	one = update(one, first)
	steps := firstInParts(first, 2)
	if len(steps) != 3 {
		t.Fatalf("%d parts, want 3", len(steps))
	}
	for _, p := range steps[:len(steps)-1] {
		parts = update(parts, p)
		if v := parts.View(); strings.Contains(v, "sshd") {
			t.Fatalf("the table shows sockets before the last part:\n%s", v)
		}
	}
	parts = update(parts, steps[len(steps)-1])
	same := func(when string) {
		t.Helper()
		if a, b := one.View(), parts.View(); a != b {
			t.Errorf("%s: in parts the view shows\n%s\nin one batch\n%s", when, b, a)
		}
		if !reflect.DeepEqual(one.history, parts.history) {
			t.Errorf("%s: the port history differs", when)
		}
		for _, port := range []uint16{22, 53, 8080, 33000, 54112} {
			if a, b := one.history.Port(sampler.TCP, port), parts.history.Port(sampler.TCP, port); !reflect.DeepEqual(a, b) {
				t.Errorf("%s: port %d's history in parts %+v, in one batch %+v", when, port, b, a)
			}
		}
	}
	same("after the last part")
	if v := parts.View(); !strings.Contains(v, "6 sockets already open") || !strings.Contains(v, "33000/tcp wget held") {
		t.Errorf("the feed lacks the = line or the close heard before the sample:\n%s", v)
	}
	c1.advance(time.Second)
	c2.advance(time.Second)
	one, parts = update(one, batchCurlOpens()), update(parts, batchCurlOpens())
	same("after a later batch")
	one = update(one, script("/", "22", enter())...)
	parts = update(parts, script("/", "22", enter())...)
	same("under a filter")
}
