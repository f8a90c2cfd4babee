package live

import (
	"slices"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// wideParts is the machine-wide first sample of socks handed out in parts
// of per opens (poll.Config.ExistingInParts): in the order of their IDs,
// the table with each, every part but the last saying ExistingToCome;
// before carries the events published before the first sample, which
// come ahead of the first part's opens.
func wideParts(at time.Time, socks []sampler.Socket, per int, before ...sampler.Event) []sampler.Batch {
	whole := firstWide(at, socks)
	opens := whole.Events
	slices.SortFunc(opens, func(a, b sampler.Event) int { return sampler.CompareIDs(a.Socket.ID, b.Socket.ID) })
	var parts []sampler.Batch
	for from := 0; from < len(opens); from += per {
		b := whole
		b.Events = slices.Clone(opens[from:min(from+per, len(opens))])
		if from == 0 {
			b.Events = append(slices.Clone(before), b.Events...)
		}
		b.ExistingToCome = from+per < len(opens)
		parts = append(parts, b)
	}
	return parts
}

// A close heard before the first sample: it comes ahead of the opens.
func closedBefore() sampler.Event {
	s := sock(sampler.TCP, "10.0.0.5:33000", "10.0.0.9:443", sampler.StateEstablished, 4100, "wget", t0.Add(-time.Minute))
	return sampler.Event{Kind: sampler.Closed, Time: t0.Add(-50 * time.Millisecond), Socket: s, Held: time.Minute}
}

// The machine-wide first sample's opens in parts: the feed's = line and
// the port history take each part as it comes; the table, header and
// feed lines nothing until the last part, which brings what one batch
// would: the same events for the table and feed (the close heard before
// the sample, kept aside from the first part, then the opens) and, over
// all the parts, the same history.
func TestWidePartsAddUpToOneBatch(t *testing.T) {
	all := machine()
	var one Merger
	whole := wideParts(t0, all, len(all), closedBefore())[0]
	want := one.Wide(whole)
	var m Merger
	parts := wideParts(t0, all, 2, closedBefore())
	if len(parts) != 3 {
		t.Fatalf("%d parts, want 3", len(parts))
	}
	var history, wide []sampler.Event
	for i, p := range parts {
		out := m.Wide(p)
		history = append(history, out.History...)
		wide = append(wide, out.Wide.Events...)
		if i < len(parts)-1 {
			if out.Show != ShowNothing || out.Events != nil || out.Wide == nil || !out.Wide.ExistingToCome {
				t.Fatalf("part %d: show %v, %d events, wide %v: want the part for the = line and history only", i, out.Show, len(out.Events), out.Wide != nil)
			}
			continue
		}
		if out.Show != ShowWide || out.Wide.ExistingToCome {
			t.Fatalf("the last part: show %v, ExistingToCome %v, want the table", out.Show, out.Wide.ExistingToCome)
		}
		if !slices.EqualFunc(notExistingOf(out.Events), notExistingOf(want.Events), sameEvent) {
			t.Errorf("the last part's events for the table and feed %v, one batch's %v", out.Events, want.Events)
		}
		if out.Events[0].Kind != sampler.Closed || !slices.EqualFunc(notExistingOf(out.Wide.Events), notExistingOf(want.Wide.Events), sameEvent) {
			t.Errorf("the last part's whole events %v: want the close heard before the sample first", out.Wide.Events)
		}
	}
	if !slices.EqualFunc(history, want.History, sameEvent) {
		t.Errorf("the parts fed the history %v, one batch %v", history, want.History)
	}
	if existing := countExisting(wide); existing != len(all) {
		t.Errorf("the parts' whole events carried %d Existing opens, want %d", existing, len(all))
	}
}

// A focus's first batch coming between two parts of the machine-wide
// first sample's opens: the port history is fed each socket already open
// once, whichever part holds it.
func TestFocusBetweenWidePartsFeedsOnce(t *testing.T) {
	all := machine()
	for _, port := range []uint16{22, 8080, 41822} {
		for before := range 4 { // the focus's first batch before part `before` (3: after the last)
			var m Merger
			fed := map[uint16]int{}
			_, ask := refocus(t, &m, onePort(port))
			parts := wideParts(t0.Add(100*time.Millisecond), all, 2)
			for i, p := range parts {
				if i == before {
					existingOpens(fed, focused(t, &m, ask.Gen, existingAt(t0, onPort(all, port)...)).History)
				}
				existingOpens(fed, m.Wide(p).History)
			}
			if before == len(parts) {
				existingOpens(fed, focused(t, &m, ask.Gen, existingAt(t0, onPort(all, port)...)).History)
			}
			for _, s := range all {
				p := s.Local.Port()
				if want := len(onPort(all, p)); fed[p] != want {
					t.Errorf("focus on %d before part %d: port %d fed %d times, want %d", port, before, p, fed[p], want)
				}
			}
		}
	}
}

func notExistingOf(events []sampler.Event) []sampler.Event {
	return slices.DeleteFunc(slices.Clone(events), func(e sampler.Event) bool { return e.Existing })
}

func countExisting(events []sampler.Event) int {
	n := 0
	for _, e := range events {
		if e.Existing {
			n++
		}
	}
	return n
}

func sameEvent(a, b sampler.Event) bool { return a == b }
