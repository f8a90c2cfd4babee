package live

import (
	"errors"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/filter"
	"github.com/porttop/porttop/sampler/ports"
)

func TestNarrows(t *testing.T) {
	for _, tc := range []struct {
		q    sampler.Query
		want bool
	}{
		{sampler.Query{}, false},
		{sampler.Query{Protos: []sampler.Proto{sampler.UDP}}, false},
		{sampler.Query{Ports: []sampler.PortRange{{Lo: 1, Hi: 1}}}, true},
		{sampler.Query{States: sampler.MaskOf(sampler.StateListen)}, false},
		{sampler.Query{States: sampler.MaskOf(sampler.StateListen, sampler.StateEstablished)}, false},
	} {
		if got := Narrows(tc.q); got != tc.want {
			t.Errorf("Narrows(%+v) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

// A focus drives the table and the feed once its first batch is in; the
// machine-wide batches keep moving the header, and only the feed beside
// it. Batches of a focus no longer wanted are dropped; clearing the filter
// sends the table back to the machine-wide snapshot at once.
func TestFocusDrivesTableAndFeedButNotHeader(t *testing.T) {
	var m Merger
	first := m.Wide(firstWide(t0, machine()))
	if first.Show != ShowWide || first.Wide == nil || len(first.History) != 6 || first.Focus.Live {
		t.Fatalf("the machine-wide first batch with no focus: %+v", first)
	}
	out, ask := refocus(t, &m, onePort(60716))
	if !ask.Narrows() || ask.Query.Ports[0] != (sampler.PortRange{Lo: 60716, Hi: 60716}) {
		t.Fatalf("a one-port filter should start a narrowed focus: %+v", ask)
	}
	if !out.empty() {
		t.Errorf("no focus was live: nothing for the view at once, got %+v", out)
	}

	// Until the focus answers, the machine-wide batches drive the table.
	if b := m.Wide(wideAt(t0, machine())); b.Show != ShowWide {
		t.Errorf("before the focus's first batch: show %v, want the machine-wide table", b.Show)
	}
	b := focused(t, &m, ask.Gen, focusedAt(t0, wget60716()))
	if b.Show != ShowFocused || len(b.Snapshot.Sockets) != 1 || b.Wide != nil {
		t.Fatalf("the focused batch should fill the table: %+v", b)
	}
	if !b.Focus.Live || b.Focus.Interval != 100*time.Millisecond || b.Focus.Cost != 300*time.Microsecond || len(b.Focus.Sockets) != 1 {
		t.Errorf("the header should say how the filtered view samples: %+v", b.Focus)
	}

	// A machine-wide batch without the socket moves the header, not the table.
	curl := append(machine(), curl54112())
	b = m.Wide(wideAt(t0, curl, opened(t0, curl54112())))
	if b.Show != ShowEvents || b.Wide == nil || len(b.Wide.Snapshot.Sockets) != 7 || !b.Focus.Live {
		t.Errorf("a machine-wide batch beside a live focus: show %v, focus %+v", b.Show, b.Focus)
	}

	// A batch of an older focus is dropped.
	if _, ok := m.Focused(ask.Gen-1, focusedAt(t0)); ok {
		t.Errorf("a stale focus batch was taken")
	}

	// Clearing the filter stops the focus and shows the machine-wide table at once.
	out, stop := refocus(t, &m, sampler.Query{})
	if stop.Narrows() || stop.Gen == ask.Gen {
		t.Errorf("clearing should ask for no focus under a new generation: %+v", stop)
	}
	if !out.Reset || out.Focus.Live {
		t.Errorf("after clearing: %+v, want a reset to the machine-wide table", out)
	}
	if _, ok := m.Focused(ask.Gen, focusedAt(t0, wget60716())); ok {
		t.Errorf("a batch of the cleared focus came back")
	}
	if b := m.Wide(wideAt(t0, curl)); b.Show != ShowWide {
		t.Errorf("after clearing, a machine-wide batch: show %v, want the table", b.Show)
	}
}

func TestFocusOnlyForFiltersTheKernelNarrows(t *testing.T) {
	eph := ports.Range{Lo: 32768, Hi: 60999}
	for _, tc := range []struct {
		filter string
		wants  bool
	}{
		{"60716", true},
		{"49152-65535", true},
		{"time-wait", false},
		{"listen tcp", false},
		{"tcp", false},
		{"established", false},
		{"curl", false},
		{"pid:812", false},
		{"curl 443", true},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			f, err := filter.Parse(tc.filter, eph)
			if err != nil {
				t.Fatal(err)
			}
			var m Merger
			m.Wide(firstWide(t0, machine()))
			_, ask := refocus(t, &m, f.Query())
			if ask.Narrows() != tc.wants {
				t.Errorf("narrows = %v, want %v", ask.Narrows(), tc.wants)
			}
			_, taken := m.Focused(ask.Gen, focusedAt(t0, wget60716()))
			if taken != tc.wants {
				t.Errorf("focused batch taken = %v, want %v", taken, tc.wants)
			}
		})
	}
}

// Editing the filter without changing its ports keeps the focus: no new
// run, no machine-wide table in between.
func TestRefiningFilterKeepsFocus(t *testing.T) {
	var m Merger
	m.Wide(firstWide(t0, machine()))
	_, ask := refocus(t, &m, onePort(60716))
	focused(t, &m, ask.Gen, focusedAt(t0, wget60716()))
	out, again := m.Refocus(onePort(60716))
	if again.Gen != 0 || !out.empty() {
		t.Errorf("refining the filter restarted the focus: ask %+v, view %+v", again, out)
	}
	if b := focused(t, &m, ask.Gen, focusedAt(t0, wget60716())); !b.Focus.Live || b.Show != ShowFocused {
		t.Errorf("after refining, the focus should still drive the table: %+v", b)
	}
}

// A focus whose sampling fails stops; the machine-wide batches carry the
// view on, from the table it showed before.
func TestFocusErrorFallsBackToMachineWide(t *testing.T) {
	var m Merger
	m.Wide(firstWide(t0, machine()))
	_, ask := refocus(t, &m, onePort(22))
	focused(t, &m, ask.Gen, focusedAt(t0, wget60716()))
	fail := focusedAt(t0)
	fail.Err = errors.New("netlink went away")
	out := focused(t, &m, ask.Gen, fail)
	if !out.Reset || out.Err == nil || out.Err.Error() != "netlink went away" || out.Focus.Live {
		t.Errorf("a failing focus should stop and be said: %+v", out)
	}
	if _, ok := m.Focused(ask.Gen, focusedAt(t0, wget60716())); ok {
		t.Errorf("a batch of the failed focus was taken")
	}
	if b := m.Wide(wideAt(t0, machine())); b.Show != ShowWide {
		t.Errorf("after the failure the machine-wide batches should drive the table: show %v", b.Show)
	}

	// A focus that fails before its first batch has no table to give back.
	_, ask = refocus(t, &m, onePort(8080))
	if out := focused(t, &m, ask.Gen, fail); out.Reset || out.Err == nil {
		t.Errorf("a focus failing before it was live: %+v, want the error and no reset", out)
	}
}

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
			var m Merger
			m.Wide(firstWide(t0, machine()))
			y := sock(sampler.TCP, "10.0.0.5:60716", "10.0.0.9:8443", sampler.StateEstablished, 4100, "wget", t0.Add(time.Second))
			m.Wide(wideAt(t0.Add(time.Second), append(machine(), y), opened(t0.Add(time.Second), y)))
			_, ask := refocus(t, &m, onePort(60716))
			focused(t, &m, ask.Gen, focusedAt(t0.Add(3*time.Second)))
			closed := sampler.Event{Kind: sampler.Closed, Time: t0.Add(c.stamped), Socket: y, Held: time.Second}
			if c.happened > 0 {
				closed.Happened = t0.Add(c.happened)
			}
			b := m.Wide(wideAt(t0.Add(3500*time.Millisecond), machine(), closed))
			if !has(b.History, sampler.Closed, 60716) {
				t.Errorf("port 60716's close did not reach the history (dropped as covered by the focus): %+v", b.History)
			}
			if !has(b.Events, sampler.Closed, 60716) {
				t.Errorf("port 60716's close did not reach the feed: %+v", b.Events)
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
			var m Merger
			m.Wide(firstWide(t0, machine()))
			z := sock(sampler.TCP, "10.0.0.5:60716", "10.0.0.9:8443", sampler.StateEstablished, 4100, "wget", t0.Add(time.Second))
			m.Wide(wideAt(t0.Add(time.Second), append(machine(), z), opened(t0.Add(time.Second), z)))
			_, ask := refocus(t, &m, onePort(60716))
			focused(t, &m, ask.Gen, existingAt(t0.Add(1100*time.Millisecond), z))
			zClosed := sampler.Event{Kind: sampler.Closed, Time: t0.Add(2 * time.Second), Socket: z, Held: time.Second}
			b := focused(t, &m, ask.Gen, sampler.Batch{Snapshot: sampler.Snapshot{Time: t0.Add(2100 * time.Millisecond)},
				Events: []sampler.Event{zClosed}, Interval: 100 * time.Millisecond, Samples: 1})
			shown := count(b.Events, sampler.Closed, 60716)
			refocus(t, &m, sampler.Query{})
			closed := sampler.Event{Kind: sampler.Closed, Time: t0.Add(c.stamped), Socket: z, Held: time.Second}
			if c.happened > 0 {
				closed.Happened = t0.Add(c.happened)
			}
			b = m.Wide(wideAt(t0.Add(2500*time.Millisecond), machine(), closed))
			if n := shown + count(b.Events, sampler.Closed, 60716); n != 1 {
				t.Errorf("the feed gets z's close %d times, want 1", n)
			}
		})
	}
}

// A focus's span starts when its first sample was taken, not when its
// Existing events were stamped after ordering moved them.
func TestFirstSampleTimeIsWhenItHappened(t *testing.T) {
	for _, c := range []struct {
		name   string
		events []sampler.Event
		want   time.Time
	}{
		{"no existing events: the snapshot's time", nil, t0.Add(3 * time.Second)},
		{"existing, not moved", []sampler.Event{{Kind: sampler.Opened, Time: t0.Add(time.Second), Existing: true}}, t0.Add(time.Second)},
		{"existing, moved", []sampler.Event{
			{Kind: sampler.Closed, Time: t0.Add(2 * time.Second)},
			{Kind: sampler.Opened, Time: t0.Add(2 * time.Second), Happened: t0.Add(time.Second), Existing: true},
		}, t0.Add(time.Second)},
	} {
		b := sampler.Batch{Snapshot: sampler.Snapshot{Time: t0.Add(3 * time.Second)}, Events: c.events}
		if got := firstSampleTime(b); !got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got.Sub(t0), c.want.Sub(t0))
		}
	}
}

// The focus reported the open; the first machine-wide batch after the
// filter is cleared must not report it again.
func TestNoDuplicateEventsWhenFocusEnds(t *testing.T) {
	var m Merger
	m.Wide(firstWide(t0, machine()))
	_, ask := refocus(t, &m, onePort(60716))
	focused(t, &m, ask.Gen, focusedAt(t0)) // first sample: nothing on the port
	b := focused(t, &m, ask.Gen, focusedAt(t0, wget60716()))
	shown := count(b.Events, sampler.Opened, 60716)
	refocus(t, &m, sampler.Query{})
	b = m.Wide(wideAt(t0, append(machine(), wget60716()), opened(t0, wget60716())))
	if n := shown + count(b.Events, sampler.Opened, 60716); n != 1 {
		t.Errorf("the feed gets the open of 60716 %d times, want once", n)
	}
}

// Events of other ports, seen machine-wide while the focus ran, reach the
// feed (hidden by the filter until it is cleared).
func TestOtherPortsEventsKeptWhileFocused(t *testing.T) {
	var m Merger
	m.Wide(firstWide(t0, machine()))
	_, ask := refocus(t, &m, onePort(60716))
	focused(t, &m, ask.Gen, focusedAt(t0, wget60716()))
	b := m.Wide(wideAt(t0, append(machine(), curl54112()), opened(t0, curl54112())))
	if !has(b.Events, sampler.Opened, 54112) || !has(b.History, sampler.Opened, 54112) {
		t.Errorf("curl's open, on a port the focus does not cover, was dropped: %+v", b.Events)
	}
}

// An open between the last machine-wide batch and the focus's first sample
// is reported by the machine-wide batch, and must reach the feed.
func TestEventBeforeFocusStartKept(t *testing.T) {
	var m Merger
	m.Wide(firstWide(t0, machine()))
	_, ask := refocus(t, &m, onePort(60716))
	first := existingAt(t0.Add(time.Second), wget60716()) // a first sample reports what is there
	focused(t, &m, ask.Gen, first)
	b := m.Wide(wideAt(t0.Add(2*time.Second), append(machine(), wget60716()), opened(t0, wget60716())))
	if !has(b.Events, sampler.Opened, 60716) {
		t.Errorf("the open of 60716 before the focus began never reached the feed: %+v", b.Events)
	}
}

// The focus's events reach the port history, so the free-port answer
// agrees with the feed.
func TestFocusEventsReachHistory(t *testing.T) {
	var m Merger
	m.Wide(firstWide(t0, machine()))
	_, ask := refocus(t, &m, onePort(60716))
	focused(t, &m, ask.Gen, focusedAt(t0))
	b := focused(t, &m, ask.Gen, focusedAt(t0, wget60716()))
	if !has(b.History, sampler.Opened, 60716) {
		t.Errorf("the focus's open did not reach the history: %+v", b.History)
	}
	closed := focusedAt(t0.Add(500 * time.Millisecond))
	closed.Events = []sampler.Event{{Kind: sampler.Closed, Time: t0.Add(500 * time.Millisecond), Socket: wget60716(), Held: 500 * time.Millisecond}}
	if b = focused(t, &m, ask.Gen, closed); !has(b.History, sampler.Closed, 60716) {
		t.Errorf("the focus's close did not reach the history: %+v", b.History)
	}
}
