package poll

import (
	"net/netip"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

func idN(n int) sampler.ID {
	return sampler.ID{Proto: sampler.TCP, Local: netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(n))}
}

func TestRecentGoneExpiresAndStaysBounded(t *testing.T) {
	r := newRecentGone(5*time.Second, 3)
	r.add(idN(1), at(0), true)
	r.add(idN(2), at(1), false)
	if !r.released(idN(1)) || r.released(idN(2)) || !r.has(idN(2)) {
		t.Fatal("entries not remembered as added")
	}
	// A sample's close does not make a released ID unreleased.
	r.add(idN(1), at(2), false)
	if !r.released(idN(1)) {
		t.Error("re-adding lost the released mark")
	}
	r.expire(at(6)) // 1 was re-added at 2, so only its stale entry at 0 is past the ttl
	if !r.has(idN(1)) || !r.has(idN(2)) {
		t.Error("expired too early")
	}
	r.expire(at(7).Add(1))
	if r.has(idN(1)) || r.has(idN(2)) {
		t.Error("not expired after the ttl")
	}
	for i := range 10 {
		r.add(idN(100+i), at(8), false)
	}
	if len(r.byID) != 3 || !r.has(idN(109)) || r.has(idN(106)) {
		t.Errorf("holds %d entries, want the newest 3", len(r.byID))
	}
	// The order list is reclaimed rather than growing for ever.
	for i := range 100_000 {
		r.add(idN(i%60000), at(9), false)
	}
	if len(r.order)-r.head > 3 || cap(r.order) > 8192 {
		t.Errorf("order list grew to len %d (head %d) cap %d", len(r.order), r.head, cap(r.order))
	}
}
