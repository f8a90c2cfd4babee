package ui

import (
	"net/netip"
	"runtime"
	"slices"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
)

// bigTable is n sockets: connections from ephemeral ports to a few servers,
// as on a busy proxy.
func bigTable(n int) []sampler.Socket {
	out := make([]sampler.Socket, n)
	local := netip.MustParseAddr("10.0.0.5")
	for i := range out {
		remote := netip.AddrFrom4([4]byte{10, 1, byte(i >> 16), byte(i >> 8)})
		out[i] = sampler.Socket{
			ID: sampler.ID{
				Cookie: uint64(i + 1),
				Proto:  sampler.TCP,
				Local:  netip.AddrPortFrom(local, uint16(32768+i%28232)),
				Remote: netip.AddrPortFrom(remote, uint16(443+i%3)),
			},
			State: sampler.StateEstablished,
			Owner: sampler.Owner{PID: int32(1000 + i%50), Process: "proxy", UID: -1},
			Since: sampler.StampOf(t0.Add(-time.Duration(i%600) * time.Second)),
		}
	}
	return out
}

// churnEvents is the events of one busy second: 1000 opens and 1000 closes.
func churnEvents(socks []sampler.Socket) []sampler.Event {
	var ev []sampler.Event
	for i := range 1000 {
		ev = append(ev,
			sampler.Event{Kind: sampler.Opened, Time: t0, Socket: socks[i]},
			sampler.Event{Kind: sampler.Closed, Time: t0, Socket: socks[len(socks)-1-i], Held: time.Second})
	}
	return ev
}

// BenchmarkBatch100kUpdateView: one 100k-socket batch with 2000 events
// through Update, then a frame drawn.
func BenchmarkBatch100kUpdateView(b *testing.B) {
	c := &clock{t: t0}
	m := newTestModel(b, c, 160, 50)
	socks := bigTable(100_000)
	m = update(m, firstBatch(t0, socks))
	ev := churnEvents(socks)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m = update(m, nextBatchMsg(t0, socks, ev...))
		_ = m.View()
	}
}

// BenchmarkBatch100kFiltered: the same with a filter that keeps a tenth.
func BenchmarkBatch100kFiltered(b *testing.B) {
	c := &clock{t: t0}
	m := newTestModel(b, c, 160, 50)
	socks := bigTable(100_000)
	m = update(m, firstBatch(t0, socks))
	m = update(m, append(keys("/443"), enter())...)
	ev := churnEvents(socks)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m = update(m, nextBatchMsg(t0, socks, ev...))
		_ = m.View()
	}
}

// BenchmarkKeyView100k: a cursor move and a frame on a 100k table, what
// holding an arrow key costs.
func BenchmarkKeyView100k(b *testing.B) {
	c := &clock{t: t0}
	m := newTestModel(b, c, 160, 50)
	m = update(m, firstBatch(t0, bigTable(100_000)))
	down := keys("j")[0]
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m = update(m, down)
		_ = m.View()
	}
}

// churned is the next snapshot of a busy table: n sockets of socks
// replaced by new connections (new cookies), in a new slice, with the
// events that say so.
func churned(socks []sampler.Socket, n int, next *uint64, now time.Time) ([]sampler.Socket, []sampler.Event) {
	out := slices.Clone(socks)
	ev := make([]sampler.Event, 0, 2*n)
	for i := range n {
		j := int(*next % uint64(len(out)))
		ev = append(ev, sampler.Event{Kind: sampler.Closed, Time: now, Socket: out[j], Held: time.Second})
		*next++
		s := out[j]
		s.Cookie = *next + uint64(len(socks))
		s.Remote = netip.AddrPortFrom(s.Remote.Addr(), uint16(1000+i))
		out[j] = s
		ev = append(ev, sampler.Event{Kind: sampler.Opened, Time: now, Socket: s})
	}
	return out, ev
}

// preparedOf is msg as nextBatch hands it to the view: the table's rows
// made beforehand, off the UI goroutine.
func preparedOf(m Model, msg tea.Msg) tea.Msg {
	bm, ok := viewMsg(m, msg).(BatchMsg)
	if !ok {
		return msg
	}
	return preparedMsg{bm, m.prep.prepare(bm.Batch)}
}

// BenchmarkSortKey100kUnderBatches: the sort key pressed and the screen
// drawn on a 100k-socket table that takes a batch of 2,000 new and 2,000
// closed connections before each key (the batch, its rows made off the UI
// goroutine as nextBatch does, is not timed): what the key costs the UI
// goroutine, which is how long it is queued behind nothing else.
func BenchmarkSortKey100kUnderBatches(b *testing.B) {
	c := &clock{t: t0}
	m := newTestModel(b, c, 160, 45)
	socks := bigTable(100_000)
	m = update(m, firstBatch(t0, socks))
	s := keys("s")[0]
	var next uint64
	var took []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		var ev []sampler.Event
		socks, ev = churned(socks, 2000, &next, c.t.Add(time.Second))
		c.advance(time.Second)
		m = update(m, preparedOf(m, nextBatchMsg(c.t, socks, ev...)))
		b.StartTimer()
		start := time.Now()
		m = update(m, s)
		_ = m.View()
		took = append(took, time.Since(start))
	}
	// The median, as .ci/bench reports its keys: the mean also carries
	// the garbage collections the untimed batches leave behind.
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms/key-median")
}

// BenchmarkPreparedBatch100k: the UI goroutine's share of such a batch
// (its rows made beforehand, not timed) and the frame drawn after it.
func BenchmarkPreparedBatch100k(b *testing.B) {
	c := &clock{t: t0}
	m := newTestModel(b, c, 160, 45)
	socks := bigTable(100_000)
	m = update(m, firstBatch(t0, socks))
	var next uint64
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		var ev []sampler.Event
		socks, ev = churned(socks, 2000, &next, c.t.Add(time.Second))
		c.advance(time.Second)
		msg := preparedOf(m, nextBatchMsg(c.t, socks, ev...))
		b.StartTimer()
		m = update(m, msg)
		_ = m.View()
	}
}

// BenchmarkPrepare100k: what the command goroutine does for each batch
// of a 100k-socket table taking 2,000 new and 2,000 closed connections a
// second (the table's rows with the lingering closed ones merged in, the
// churn digest), taken by the view as it goes (not timed).
func BenchmarkPrepare100k(b *testing.B) {
	c := &clock{t: t0}
	m := newTestModel(b, c, 160, 45)
	socks := bigTable(100_000)
	m = update(m, firstBatch(t0, socks))
	var next uint64
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		var ev []sampler.Event
		socks, ev = churned(socks, 2000, &next, c.t.Add(time.Second))
		c.advance(time.Second)
		bm := viewMsg(m, nextBatchMsg(c.t, socks, ev...)).(BatchMsg)
		b.StartTimer()
		p := m.prep.prepare(bm.Batch)
		b.StopTimer()
		m = update(m, preparedMsg{bm, p})
		b.StartTimer()
	}
}

// BenchmarkViewHeld100k: the heap the live view keeps between two batches
// of a 100k-socket table under churn (as BenchmarkPrepare100k makes them),
// beyond the table itself: its rows, the preparer's, the lingering closed
// sockets, the highlights, the feed, the history. One op is ten batches,
// then the view let go; held-B/socket is what letting it go freed.
func BenchmarkViewHeld100k(b *testing.B) {
	var held float64
	for b.Loop() {
		c := &clock{t: t0}
		m := newTestModel(b, c, 160, 45)
		socks := bigTable(100_000)
		m = update(m, firstBatch(t0, socks))
		var next uint64
		for range 10 {
			var ev []sampler.Event
			socks, ev = churned(socks, 2000, &next, c.t.Add(time.Second))
			c.advance(time.Second)
			m = update(m, preparedOf(m, nextBatchMsg(c.t, socks, ev...)))
		}
		var alive, gone runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&alive)
		runtime.KeepAlive(m)
		m = Model{}
		runtime.GC()
		runtime.ReadMemStats(&gone)
		runtime.KeepAlive(socks)
		held += float64(int64(alive.HeapAlloc) - int64(gone.HeapAlloc))
	}
	b.ReportMetric(held/float64(b.N)/100_000, "held-B/socket")
}
