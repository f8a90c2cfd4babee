package poll

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// alternatingSource hands out two prebuilt tables in turn, so the benchmark
// measures the poller (diff, guard, publish), not a source's allocations.
type alternatingSource struct {
	tables [2]sampler.Snapshot
	n      int
}

func (a *alternatingSource) Name() string { return "bench" }

func (a *alternatingSource) Sample(context.Context) (sampler.Snapshot, error) {
	a.n++
	s := a.tables[a.n%2]
	s.Time = t0.Add(time.Duration(a.n) * 100 * time.Millisecond)
	return s, nil
}

func BenchmarkPollerSample(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("sockets=%d", n), func(b *testing.B) {
			prev, next := benchTables(n)
			p := New(Config{Source: &alternatingSource{tables: [2]sampler.Snapshot{prev, next}}})
			ctx := context.Background()
			p.sample(ctx)
			p.pending.take()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				p.sample(ctx)
				p.pending.take() // the consumer keeps up
			}
		})
	}
}

// copyingSource hands out copies of two tables in turn, in slices handed
// back through Recycle, as a recycling source does.
type copyingSource struct {
	alternatingSource
	spare []sampler.Socket
}

func (c *copyingSource) Sample(ctx context.Context) (sampler.Snapshot, error) {
	s, _ := c.alternatingSource.Sample(ctx)
	s.Sockets = append(c.spare[:0], s.Sockets...)
	c.spare = nil
	return s, nil
}

func (c *copyingSource) Recycle(s []sampler.Socket) { c.spare = s }

// BenchmarkPollerSampleAfterReleases: a sample after ten releases arrived
// since the previous one, of sockets the sample no longer holds, as under
// steady churn: base must be patched before the diff.
func BenchmarkPollerSampleAfterReleases(b *testing.B) {
	prev, next := benchTables(10_000)
	p := New(Config{Source: &copyingSource{alternatingSource: alternatingSource{tables: [2]sampler.Snapshot{prev, next}}}})
	ctx := context.Background()
	take := func() { batch, _ := p.pending.take(); p.Recycle(batch.Snapshot) }
	p.sample(ctx)
	take()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		base := p.rec.base.Sockets
		for i := range 10 {
			s := base[i] // gone from the next table when base is prev
			if base[0].Cookie != prev.Sockets[0].Cookie {
				s = base[len(base)-1-i] // gone when base is next
			}
			p.release(sampler.Release{Socket: s, At: p.rec.base.Time}, nil)
		}
		p.sample(ctx)
		take()
	}
}

// BenchmarkPollerChurnHeld: the poller at 100k sockets under churn, as the
// big-table scenario of .ci/bench loads it: every sample follows releases
// of 1% of the table (so base is patched before the diff), the source
// refills the snapshots handed back, the consumer keeps up. Beside the
// allocations per sample it reports the heap the poller keeps between
// samples, per socket (retained-B/socket), beyond the source's own two
// tables: its snapshots, diff scratch, indexes and recently-gone set.
// (A copy of base before each diff was 248 bytes a socket of it; the
// 80-byte-ID address indexes over 100 more.)
func BenchmarkPollerChurnHeld(b *testing.B) {
	const n = 100_000
	prev, next := benchTables(n)
	src := &copyingSource{alternatingSource: alternatingSource{tables: [2]sampler.Snapshot{prev, next}}}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	p := New(Config{Source: src})
	ctx := context.Background()
	take := func() { batch, _ := p.pending.take(); p.Recycle(batch.Snapshot) }
	step := func() {
		base := p.rec.base.Sockets
		for i := range n / 100 {
			s := base[i] // gone from the next table when base is prev
			if base[0].Cookie != prev.Sockets[0].Cookie {
				s = base[len(base)-1-i] // gone when base is next
			}
			p.release(sampler.Release{Socket: s, At: p.rec.base.Time}, nil)
		}
		p.sample(ctx)
		take()
	}
	p.sample(ctx)
	take()
	step()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		step()
	}
	b.StopTimer()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/n, "retained-B/socket")
	runtime.KeepAlive(p)
}

// BenchmarkEventTick: one 100 ms tick of an event-kept table of 20,000
// sockets at 1,000 connections a second: 100 connections opened by their
// transitions, 100 earlier ones closed and 100 gone to TIME_WAIT, then the
// tick that publishes the table (no UDP sample: that is the source's cost).
func BenchmarkEventTick(b *testing.B) {
	base, _ := benchTables(20_000)
	r := NewReconciler(sampler.FirstSeen{})
	r.Sample(t0, &base, Reading{})
	var buf []sampler.Socket
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 2})
	srv := netip.AddrPortFrom(lo, 80)
	cookie := uint64(1 << 32)
	now := t0
	var events []sampler.Event
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		now = now.Add(100 * time.Millisecond)
		for range 100 {
			cookie++
			t := sampler.Transition{At: now, Proto: sampler.TCP, Cookie: cookie, Local: netip.AddrPortFrom(lo, uint16(cookie)), Remote: srv}
			t.From, t.To = sampler.StateClose, sampler.StateSynSent
			events = r.Transition(now, t, events[:0])
			t.From, t.To = sampler.StateSynSent, sampler.StateEstablished
			events = r.Transition(now, t, events[:0])
			t.Cookie, t.Local = cookie-50, netip.AddrPortFrom(lo, uint16(cookie-50))
			if cookie%2 == 0 {
				t.From, t.To = sampler.StateEstablished, sampler.StateClose
				events = r.Transition(now, t, events[:0])
			} else {
				tw := sampler.Socket{ID: sampler.ID{Cookie: t.Cookie, Proto: sampler.TCP, Local: t.Local, Remote: srv}, State: sampler.StateTimeWait, TimeWaitEnds: sampler.StampOf(now.Add(time.Minute))}
				r.Release(now, sampler.Release{Socket: tw, At: now})
			}
		}
		_, table, _ := r.Tick(now, nil, buf, true)
		buf = nil
		if bufKey(table.Sockets) != bufKey(r.base.Sockets) {
			buf = table.Sockets // the consumer recycles it at once; the base stays held
		}
	}
}

// BenchmarkEventChurn is the reconciler's share of watch --source ebpf at
// 1,000 connections a second beside a 20,000-socket table: one op is a
// 100 ms tick's worth, 100 loopback connections (server closes first) each
// told by its every transition as Linux reports them (the connect before
// its port, the accepted child at its handshake's end, both closes) and
// the server's TIME_WAIT release, then the tick with a UDP-only sample and
// no table built (watch without stats, NoTableTicks). Every 100 ticks
// (a check's 10 s) the table is re-based.
func BenchmarkEventChurn(b *testing.B) {
	base, _ := benchTables(20_000)
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 2})
	srv := netip.AddrPortFrom(lo, 80)
	base.Sockets = append(base.Sockets, sampler.Socket{
		ID:    sampler.ID{Cookie: 1 << 40, Proto: sampler.TCP, Local: srv, Remote: netip.AddrPortFrom(netip.IPv4Unspecified(), 0)},
		State: sampler.StateListen, Owner: sampler.Owner{PID: 7, Process: "server", UID: 0},
	})
	r := NewReconciler(sampler.FirstSeen{})
	r.Sample(t0, &base, Reading{})
	client := sampler.Owner{PID: 8, Process: "client", UID: 0}
	cookie := uint64(1 << 32)
	now := t0
	var events []sampler.Event
	var udp sampler.Snapshot
	tr := func(c uint64, local, remote netip.AddrPort, from, to sampler.State, opener sampler.Owner) {
		t := sampler.Transition{At: now, Proto: sampler.TCP, Cookie: c, Local: local, Remote: remote, From: from, To: to, Opener: opener}
		events = r.Transition(now, t, events)
	}
	ticks := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		now = now.Add(100 * time.Millisecond)
		events = events[:0]
		for range 100 {
			cookie += 2
			cl := netip.AddrPortFrom(lo, uint16(32768+cookie/2%28000))
			none := sampler.Owner{UID: -1}
			tr(cookie, netip.AddrPortFrom(lo, 0), srv, sampler.StateClose, sampler.StateSynSent, client)
			tr(cookie, cl, srv, sampler.StateSynSent, sampler.StateEstablished, client)
			tr(cookie+1, srv, cl, sampler.StateSynRecv, sampler.StateEstablished, none)
			tr(cookie+1, srv, cl, sampler.StateEstablished, sampler.StateFinWait1, none)
			tr(cookie, cl, srv, sampler.StateEstablished, sampler.StateCloseWait, client)
			tr(cookie+1, srv, cl, sampler.StateFinWait1, sampler.StateFinWait2, none)
			tr(cookie, cl, srv, sampler.StateCloseWait, sampler.StateLastAck, client)
			tr(cookie, cl, srv, sampler.StateLastAck, sampler.StateClose, client)
			tr(cookie+1, srv, cl, sampler.StateFinWait2, sampler.StateClose, none)
			tw := sampler.Socket{ID: sampler.ID{Cookie: cookie + 1, Proto: sampler.TCP, Local: srv, Remote: cl}, State: sampler.StateTimeWait, TimeWaitEnds: sampler.StampOf(now.Add(time.Minute))}
			events = append(events, r.Release(now, sampler.Release{Socket: tw, At: now})...)
			r.Release(now, sampler.Release{Socket: sampler.Socket{ID: sampler.ID{Cookie: cookie, Proto: sampler.TCP, Local: cl, Remote: srv}, State: sampler.StateClose}, At: now})
		}
		udp = sampler.Snapshot{Time: now, Sockets: udp.Sockets[:0]}
		ticks++
		ev, _, _ := r.Tick(now, &udp, nil, ticks%100 == 0)
		events = append(events, ev...)
	}
}

// BenchmarkEventChurnHeld is what the reconciler holds for the sockets
// events changed between two checks of `watch --source ebpf` (no table
// built at ticks, NoTableTicks): 10 s of 2,000 connections a second (each
// as BenchmarkEventChurn tells it) beside a 100,000-socket table. It
// reports the heap kept per changed socket (retained-B/changed: the
// adjustments, the TIME_WAIT sockets by address, recently gone,
// vanished), measured after the 10 s, before the check re-bases.
func BenchmarkEventChurnHeld(b *testing.B) {
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 2})
	srv := netip.AddrPortFrom(lo, 80)
	client := sampler.Owner{PID: 8, Process: "client", UID: 0}
	none := sampler.Owner{UID: -1}
	var retained, changed float64
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		base, _ := benchTables(100_000)
		r := NewReconciler(sampler.FirstSeen{})
		r.Sample(t0, &base, Reading{})
		r.baseIndex.build(r.base.Sockets)
		var events []sampler.Event
		var udp sampler.Snapshot
		now := t0
		cookie := uint64(1 << 32)
		tr := func(c uint64, local, remote netip.AddrPort, from, to sampler.State, opener sampler.Owner) {
			t := sampler.Transition{At: now, Proto: sampler.TCP, Cookie: c, Local: local, Remote: remote, From: from, To: to, Opener: opener}
			events = r.Transition(now, t, events[:0])
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		for range 100 {
			now = now.Add(100 * time.Millisecond)
			for range 200 {
				cookie += 2
				cl := netip.AddrPortFrom(lo, uint16(10000+cookie/2%50000))
				tr(cookie, netip.AddrPortFrom(lo, 0), srv, sampler.StateClose, sampler.StateSynSent, client)
				tr(cookie, cl, srv, sampler.StateSynSent, sampler.StateEstablished, client)
				tr(cookie+1, srv, cl, sampler.StateSynRecv, sampler.StateEstablished, none)
				tr(cookie+1, srv, cl, sampler.StateEstablished, sampler.StateFinWait1, none)
				tr(cookie, cl, srv, sampler.StateEstablished, sampler.StateCloseWait, client)
				tr(cookie+1, srv, cl, sampler.StateFinWait1, sampler.StateFinWait2, none)
				tr(cookie, cl, srv, sampler.StateCloseWait, sampler.StateLastAck, client)
				tr(cookie, cl, srv, sampler.StateLastAck, sampler.StateClose, client)
				tr(cookie+1, srv, cl, sampler.StateFinWait2, sampler.StateClose, none)
				tw := sampler.Socket{ID: sampler.ID{Cookie: cookie + 1, Proto: sampler.TCP, Local: srv, Remote: cl}, State: sampler.StateTimeWait, TimeWaitEnds: sampler.StampOf(now.Add(time.Minute))}
				r.Release(now, sampler.Release{Socket: tw, At: now})
				r.Release(now, sampler.Release{Socket: sampler.Socket{ID: sampler.ID{Cookie: cookie, Proto: sampler.TCP, Local: cl, Remote: srv}, State: sampler.StateClose}, At: now})
			}
			udp = sampler.Snapshot{Time: now, Sockets: udp.Sockets[:0]}
			r.Tick(now, &udp, nil, false)
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		retained += float64(int64(after.HeapAlloc) - int64(before.HeapAlloc))
		changed += float64(r.adjust.len())
		runtime.KeepAlive(r)
		b.StartTimer()
	}
	b.ReportMetric(retained/changed, "retained-B/changed")
	b.ReportMetric(changed/float64(b.N), "changed")
}
