package eventfeed

import (
	"net/netip"
	"runtime"
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
	if m.existing.len() != 0 || strings.Contains(viewAt(m, t0, false), "already open") {
		t.Errorf("summary gone from the ring, but its sockets kept (%d)", m.existing.len())
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
	m.SetExisting(wide, t0.Add(2*time.Second), false)
	m.Add(wide, t0.Add(2*time.Second)) // as applyBatch adds them next: no lines
	m.SetExisting(existingOpens(60000, 5), t0.Add(3*time.Second), false)
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
	m.SetExisting(first, t0, false)
	m.Add(first, t0)
	m.Add(existingOpens(40000, 2), t0.Add(time.Second)) // the focus's first, later
	if v := viewAt(m, t0, false); !strings.Contains(v, "= 7 sockets already open") || m.Len() != 1 {
		t.Errorf("want the one line counting 7 (%d entries):\n%s", m.Len(), v)
	}
	m.SetExisting(nil, t0, false) // no events: no sample's, ignored
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
	m.SetExisting(existingOpens(40000, 9), t0, false)
	if m.existing.len() != 0 || strings.Contains(viewAt(m, t0, false), "already open") {
		t.Errorf("line gone from the ring, but %d sockets kept or a line back", m.existing.len())
	}
}

// busyFirstSample is n Existing opens as a busy machine's first sample
// holds them: a few programs, each with a few states, on loopback and
// one other address, every socket its own ports and cookie.
func busyFirstSample(n int) []sampler.Event {
	procs := []string{"nginx", "curl", "postgres", "redis-server"}
	states := []sampler.State{sampler.StateEstablished, sampler.StateTimeWait, sampler.StateListen}
	remotes := []string{"127.0.0.1", "10.1.2.3"}
	events := make([]sampler.Event, n)
	for i := range events {
		s := conn(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(1024+i%60000)).String(),
			netip.AddrPortFrom(netip.MustParseAddr(remotes[i%2]), uint16(2000+i/60000)).String(), procs[i%4], states[i%3])
		s.Cookie, s.PID, s.Inode, s.Since = uint64(i+1), int32(100+i%4), uint32(i), sampler.StampOf(t0)
		events[i] = sampler.Event{Kind: sampler.Opened, Time: t0, Socket: s, Existing: true}
	}
	return events
}

// TestExistingInPartsCountsAsOneBatch: the machine-wide first sample's
// opens given in parts (sampler.Batch.ExistingToCome) make the = line
// count what one batch of them does, under the filter set before and
// under each set after; a part after the last is ignored.
func TestExistingInPartsCountsAsOneBatch(t *testing.T) {
	first := busyFirstSample(5000)
	one, parts := New(styles(), 100), New(styles(), 100)
	for _, m := range []*Model{&one, &parts} {
		m.SetSize(80, 10)
		m.SetFilter(func(e *sampler.Event) bool { return e.Socket.Local.Port() < 3000 })
	}
	one.SetExisting(first, t0, false)
	for at := 0; at < len(first); at += 1024 {
		end := min(at+1024, len(first))
		parts.SetExisting(first[at:end], t0, end < len(first))
	}
	parts.SetExisting(existingOpens(40000, 9), t0, false) // after the last part
	filters := []func(*sampler.Event) bool{
		nil,
		func(e *sampler.Event) bool { return e.Socket.Process == "curl" },
		func(e *sampler.Event) bool { return e.Socket.Remote.Addr().String() == "10.1.2.3" },
		func(e *sampler.Event) bool {
			return e.Socket.Remote.Port() == 2000 && e.Socket.State == sampler.StateListen
		},
		func(e *sampler.Event) bool { return e.Socket.PID == 101 && e.Socket.Local.Port()%7 == 0 },
	}
	for i, f := range filters {
		if i > 0 {
			one.SetFilter(f)
			parts.SetFilter(f)
		}
		if one.existingShown != parts.existingShown || viewAt(one, t0, false) != viewAt(parts, t0, false) {
			t.Errorf("filter %d: parts count %d, one batch %d:\n%s\n%s", i, parts.existingShown, one.existingShown,
				viewAt(parts, t0, false), viewAt(one, t0, false))
		}
	}
	want := 0
	for i := range first {
		if filters[4](&first[i]) {
			want++
		}
	}
	if parts.existingShown != want || want == 0 {
		t.Errorf("the last filter counts %d, the sockets it matches are %d", parts.existingShown, want)
	}
}

// TestExistingKeptCompactly: the = line's sockets at 100k, a busy
// machine's first sample, kept in a few bytes each rather than copied
// whole (168 bytes each, 17 MB: the live view's start peak, issue 14).
func TestExistingKeptCompactly(t *testing.T) {
	const n = 100_000
	first := busyFirstSample(n)
	m := New(styles(), 100)
	m.SetSize(80, 10)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for at := 0; at < n; at += 8192 {
		m.SetExisting(first[at:min(at+8192, n)], t0, at+8192 < n)
	}
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d sockets kept: %.2f MB allocated, %.2f MB held", n, float64(allocated)/(1<<20), float64(held)/(1<<20))
	if held > 2<<20 {
		t.Errorf("keeping %d sockets holds %.1f MB, want at most 2", n, float64(held)/(1<<20))
	}
	if m.existingShown != n {
		t.Fatalf("counts %d, want %d", m.existingShown, n)
	}
	if allocated > 3<<20 {
		t.Errorf("keeping %d sockets allocated %.1f MB, want at most 3", n, float64(allocated)/(1<<20))
	}
	runtime.KeepAlive(first)
}
