package eventfeed

import (
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

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
