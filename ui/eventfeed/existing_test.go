package eventfeed

import (
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// TestFirstSampleIsSummarised: the sockets open at the first sample are one
// `=` line, not one line each.
func TestFirstSampleIsSummarised(t *testing.T) {
	m := New(styles(), 100)
	m.SetSize(80, 10)
	var first []sampler.Event
	for p := range 500 {
		e := opened(40000+p, t0)
		e.Existing = true
		first = append(first, e)
	}
	m.Add(first, t0)
	if m.Len() != 1 {
		t.Fatalf("%d entries after the first sample, want one summary", m.Len())
	}
	if v := viewAt(m, t0, false); !strings.Contains(v, "= 500 sockets already open") {
		t.Errorf("no summary line:\n%s", v)
	}
	one := New(styles(), 100)
	one.SetSize(80, 10)
	e := opened(40000, t0)
	e.Existing = true
	one.Add([]sampler.Event{e}, t0)
	if v := viewAt(one, t0, false); !strings.Contains(v, "= 1 socket already open") {
		t.Errorf("one socket not in the singular:\n%s", v)
	}
}

// TestExistingLineCountsWhatTheFilterMatches: the `=` line counts only the
// sockets already open that the filter matches, whether the filter was set
// before the first sample or changed later, and hides when it matches none.
func TestExistingLineCountsWhatTheFilterMatches(t *testing.T) {
	below := func(p uint16) func(*sampler.Event) bool {
		return func(e *sampler.Event) bool { return e.Socket.Local.Port() < p }
	}
	m := New(styles(), 100)
	m.SetSize(80, 10)
	m.SetFilter(below(40007)) // as --filter does, before the first sample
	var first []sampler.Event
	for p := range 500 {
		e := opened(40000+p, t0)
		e.Existing = true
		first = append(first, e)
	}
	m.Add(first, t0)
	m.Add([]sampler.Event{opened(40001, t0.Add(time.Second))}, t0.Add(time.Second))
	for _, step := range []struct {
		name  string
		match func(*sampler.Event) bool
		want  string // "": no summary line
	}{
		{"set before the first sample", nil, "= 7 sockets already open"},
		{"narrowed", below(40001), "= 1 socket already open"},
		{"widened", below(40100), "= 100 sockets already open"},
		{"matching all of them", func(*sampler.Event) bool { return true }, "= 500 sockets already open"},
		{"matching none of them", func(e *sampler.Event) bool { return e.Socket.Local.Port() == 40001 && !e.Existing }, ""},
	} {
		if step.match != nil {
			m.SetFilter(step.match)
		}
		v := viewAt(m, t0, false)
		if step.want == "" {
			if strings.Contains(v, "already open") || !strings.Contains(v, "40001/tcp") {
				t.Errorf("%s: want no summary line, the new socket only:\n%s", step.name, v)
			}
			continue
		}
		if !strings.Contains(v, step.want) {
			t.Errorf("%s: want %q:\n%s", step.name, step.want, v)
		}
	}
	m.SetFilter(func(*sampler.Event) bool { return false })
	if v := viewAt(m, t0, false); strings.Contains(v, "already open") || !strings.Contains(v, "no events match the filter yet") {
		t.Errorf("a filter matching nothing should show no lines, and say the filter hides them:\n%s", v)
	}
	m.SetFilter(nil)
	if v := viewAt(m, t0, false); !strings.Contains(v, "= 500 sockets already open") {
		t.Errorf("clearing the filter should count them all:\n%s", v)
	}
}

// TestExistingLineLeavesWithItsSockets: once the summary line falls out of
// the ring, the sockets it counted are let go.
func TestExistingLineLeavesWithItsSockets(t *testing.T) {
	m := New(styles(), 3)
	m.SetSize(80, 10)
	e := opened(40000, t0)
	e.Existing = true
	m.Add([]sampler.Event{e}, t0)
	for p := range 3 {
		m.Add([]sampler.Event{opened(50000+p, t0)}, t0)
	}
	if m.existing != nil || strings.Contains(viewAt(m, t0, false), "already open") {
		t.Errorf("summary gone from the ring, but its sockets kept (%d)", len(m.existing))
	}
}

func existingOpens(from, n int) []sampler.Event {
	events := make([]sampler.Event, n)
	for i := range events {
		events[i] = opened(from+i, t0)
		events[i].Existing = true
	}
	return events
}

// TestSetExistingReplacesANarrowerFirstBatch: a narrowed sampler's first
// batch, added before the machine-wide one, is counted on the = line until
// SetExisting gives the machine-wide first sample's sockets; those then
// stay, whatever comes later, and the line is never doubled.
func TestSetExistingReplacesANarrowerFirstBatch(t *testing.T) {
	m := New(styles(), 100)
	m.SetSize(80, 10)
	m.Add(existingOpens(40000, 2), t0) // the focus's first batch
	if v := viewAt(m, t0, false); !strings.Contains(v, "= 2 sockets already open") {
		t.Errorf("before the machine-wide first sample: want the focus's 2:\n%s", v)
	}
	m.Add([]sampler.Event{opened(50000, t0.Add(time.Second))}, t0.Add(time.Second))
	wide := existingOpens(40000, 30)
	m.SetExisting(wide, t0.Add(2*time.Second))
	m.Add(wide, t0.Add(2*time.Second)) // as applyBatch adds them next: no lines
	m.SetExisting(existingOpens(60000, 5), t0.Add(3*time.Second))
	m.Add(existingOpens(61000, 4), t0.Add(3*time.Second)) // a later focus's first
	v := viewAt(m, t0, false)
	if !strings.Contains(v, "= 30 sockets already open") || strings.Count(v, "already open") != 1 {
		t.Errorf("want one line counting the machine-wide 30:\n%s", v)
	}
	if m.Len() != 2 {
		t.Errorf("%d entries, want the summary and the one open", m.Len())
	}
	m.SetFilter(func(e *sampler.Event) bool { return e.Socket.Local.Port() >= 40010 })
	if v := viewAt(m, t0, false); !strings.Contains(v, "= 20 sockets already open") {
		t.Errorf("filtered: want 20 of the machine-wide 30:\n%s", v)
	}
}

// TestSetExistingFirst: the machine-wide first batch coming first, as on a
// small machine, gives the line as Add alone did.
func TestSetExistingFirst(t *testing.T) {
	m := New(styles(), 100)
	m.SetSize(80, 10)
	first := existingOpens(40000, 7)
	m.SetExisting(first, t0)
	m.Add(first, t0)
	m.Add(existingOpens(40000, 2), t0.Add(time.Second)) // the focus's first, later
	if v := viewAt(m, t0, false); !strings.Contains(v, "= 7 sockets already open") || m.Len() != 1 {
		t.Errorf("want the one line counting 7 (%d entries):\n%s", m.Len(), v)
	}
	m.SetExisting(nil, t0) // no events: no sample's, ignored
	if v := viewAt(m, t0, false); !strings.Contains(v, "= 7 sockets already open") {
		t.Errorf("after an empty SetExisting: want 7 still:\n%s", v)
	}
}

// TestSetExistingAfterTheLineLeft: once the summary line has left the ring,
// a late machine-wide first sample keeps no sockets and adds no line.
func TestSetExistingAfterTheLineLeft(t *testing.T) {
	m := New(styles(), 3)
	m.SetSize(80, 10)
	m.Add(existingOpens(40000, 2), t0)
	for p := range 3 {
		m.Add([]sampler.Event{opened(50000+p, t0)}, t0)
	}
	m.SetExisting(existingOpens(40000, 9), t0)
	if m.existing != nil || strings.Contains(viewAt(m, t0, false), "already open") {
		t.Errorf("line gone from the ring, but %d sockets kept or a line back", len(m.existing))
	}
}
