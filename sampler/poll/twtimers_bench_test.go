package poll

import (
	"net/netip"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// BenchmarkExpireTimeWait100k is a tick's TIME_WAIT expiry at ~100k
// sockets in TIME_WAIT (BIG=1's table), 2,000 connections a second: one op
// is 100 ms, 200 sockets released into TIME_WAIT with a 60 s timer and
// the timers run out by then closed (the sample's spread over 60 s).
func BenchmarkExpireTimeWait100k(b *testing.B) {
	const n = 100_000
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 3})
	srv := netip.AddrPortFrom(lo, 80)
	tw := func(cookie uint64, ends time.Time) sampler.Socket {
		return sampler.Socket{
			ID:    sampler.ID{Cookie: cookie, Proto: sampler.TCP, Local: netip.AddrPortFrom(lo, uint16(cookie)), Remote: srv},
			State: sampler.StateTimeWait, TimeWaitEnds: sampler.StampOf(ends),
		}
	}
	base := sampler.Snapshot{Time: t0, Sockets: make([]sampler.Socket, n)}
	for i := range base.Sockets {
		base.Sockets[i] = tw(uint64(i+1), t0.Add(time.Duration(i)*time.Minute/n))
	}
	r := NewReconciler(sampler.FirstSeen{})
	r.Sample(t0, &base, Reading{})
	cookie := uint64(n)
	now := t0
	var events []sampler.Event
	closed := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		now = now.Add(100 * time.Millisecond)
		for range 200 {
			cookie++
			r.Release(now, sampler.Release{Socket: tw(cookie, now.Add(time.Minute)), At: now})
		}
		events = r.ExpireTimeWait(now, events[:0])
		closed += len(events)
	}
	b.ReportMetric(float64(closed)/float64(b.N), "closed/op")
}
