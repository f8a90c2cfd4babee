package ui

import (
	"net/netip"
	"testing"
	"time"

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
			Since: t0.Add(-time.Duration(i%600) * time.Second),
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
