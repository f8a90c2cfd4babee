package churn

import (
	"net/netip"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// BenchmarkObserve100k is one batch on a very busy machine: 100,000 sockets
// to 2,000 destinations and 1,000 hand-outs and releases.
func BenchmarkObserve100k(b *testing.B) {
	snap := sampler.Snapshot{Time: scriptStart, Sockets: make([]sampler.Socket, 100_000)}
	for i := range snap.Sockets {
		remote := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, byte(i % 2000 >> 8), byte(i % 2000)}), 443)
		local := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, byte(2 + i/28000)}), uint16(32768+i%28000))
		snap.Sockets[i] = sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: local, Remote: remote}, State: sampler.StateEstablished}
	}
	events := make([]sampler.Event, 2_000)
	for i := range events {
		kind := sampler.Opened
		if i%2 == 1 {
			kind = sampler.Closed
		}
		events[i] = sampler.Event{Kind: kind, Time: scriptStart, Socket: snap.Sockets[i*7%len(snap.Sockets)]}
	}
	m := New(plainStyles(), linuxEphemeral, 0.5)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m = m.Observe(snap, events, scriptStart.Add(time.Duration(i)*time.Second))
	}
}
