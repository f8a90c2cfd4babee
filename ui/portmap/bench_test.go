package portmap

import (
	"net/netip"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// BenchmarkObserve100k is one batch on a very busy machine: 100,000 sockets
// and 1,000 new hand-outs.
func BenchmarkObserve100k(b *testing.B) {
	snap, events := busy(100_000, 1_000)
	m := New(plainStyles(), linuxEphemeral)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m = m.Observe(snap, events, scriptNow)
	}
}

// BenchmarkView200x60 draws the busy machine on a big terminal.
func BenchmarkView200x60(b *testing.B) {
	snap, events := busy(100_000, 1_000)
	m := New(plainStyles(), linuxEphemeral).Observe(snap, events, scriptNow)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = viewAt(m, 200, 60)
	}
}

func busy(sockets, handOuts int) (sampler.Snapshot, []sampler.Event) {
	snap := sampler.Snapshot{Time: scriptNow, Sockets: make([]sampler.Socket, sockets)}
	remote := netip.MustParseAddrPort("10.0.0.5:5432")
	for i := range snap.Sockets {
		local := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, byte(2 + i/28000)}), uint16(32768+i%28000))
		snap.Sockets[i] = sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: local, Remote: remote}, State: sampler.StateEstablished}
	}
	events := make([]sampler.Event, handOuts)
	for i := range events {
		events[i] = sampler.Event{Kind: sampler.Opened, Time: scriptNow.Add(-time.Second), Socket: snap.Sockets[i*7%sockets]}
	}
	return snap, events
}
