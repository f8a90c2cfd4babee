package poll

import (
	"net/netip"
	"runtime"
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
	if r.len() != 3 || !r.has(idN(109)) || r.has(idN(106)) {
		t.Errorf("holds %d entries, want the newest 3", r.len())
	}
	// The order list is reclaimed rather than growing for ever.
	for i := range 100_000 {
		r.add(idN(i%60000), at(9), false)
	}
	if o := &r.ids; len(o.order)-o.head > 3 || cap(o.order) > 8192 {
		t.Errorf("order list grew to len %d (head %d) cap %d", len(o.order), o.head, cap(o.order))
	}
}

// IDs with a cookie are remembered by cookie and protocol, apart from those
// without; the size bound and the ttl hold over both, oldest first.
func TestRecentGoneKeepsCookiesAndIDsApart(t *testing.T) {
	r := newRecentGone(5*time.Second, 4)
	withCookie := func(c uint64, p sampler.Proto) sampler.ID { return sampler.ID{Cookie: c, Proto: p} }
	r.add(withCookie(7, sampler.TCP), at(0), true)
	r.add(idN(7), at(1), false)
	r.add(withCookie(8, sampler.TCP), at(2), false)
	switch {
	case !r.has(withCookie(7, sampler.TCP)) || !r.released(withCookie(7, sampler.TCP)):
		t.Error("cookie 7 (tcp) not remembered as released")
	case r.has(withCookie(7, sampler.UDP)):
		t.Error("cookie 7 remembered for udp too")
	case !r.has(idN(7)) || r.released(idN(7)):
		t.Error("the ID without cookie not remembered as closed by a sample")
	case r.has(withCookie(9, sampler.TCP)):
		t.Error("cookie 9 remembered, never added")
	}
	r.add(idN(8), at(3), false)
	r.add(idN(9), at(4), false) // one over the bound: the oldest (cookie 7, at 0) goes
	if r.len() != 4 || r.has(withCookie(7, sampler.TCP)) || !r.has(idN(7)) {
		t.Errorf("over the bound: %d entries, cookie 7 kept %v, ID 7 kept %v; want 4, false, true",
			r.len(), r.has(withCookie(7, sampler.TCP)), r.has(idN(7)))
	}
	r.add(withCookie(10, sampler.TCP), at(5), false) // the oldest now: ID 7, at 1
	if r.has(idN(7)) || !r.has(withCookie(8, sampler.TCP)) {
		t.Error("over the bound again: not the oldest of both kinds forgotten")
	}
	r.expire(at(8).Add(1)) // past the ttl: everything up to at(3)
	if r.has(withCookie(8, sampler.TCP)) || r.has(idN(8)) || !r.has(idN(9)) || !r.has(withCookie(10, sampler.TCP)) {
		t.Error("expiry did not forget exactly the entries past the ttl")
	}
}

// A gone socket with a cookie is remembered in a map slot of 16 bytes
// (its cookie; its time, protocol and released mark in one word) and an
// order entry of 16, not 32 and 24: under churn recentGone holds tens of
// thousands (4 MB at ~100k sockets and 2,000 connections a second).
func TestRecentGoneSmallPerCookie(t *testing.T) {
	const n = 40_000
	var before, full runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := newRecentGone(5*time.Second, recentGoneLimit)
	for i := range n {
		r.add(sampler.ID{Cookie: uint64(i + 1), Proto: sampler.TCP}, at(0).Add(time.Duration(i)*time.Microsecond), i%2 == 0)
	}
	runtime.GC()
	runtime.ReadMemStats(&full)
	per := float64(int64(full.HeapAlloc)-int64(before.HeapAlloc)) / n
	if per > 60 {
		t.Errorf("a gone socket holds %.0f bytes, want at most 60 (94 with a 16-byte key and a 16-byte entry)", per)
	}
	if !r.released(sampler.ID{Cookie: 1, Proto: sampler.TCP}) || r.released(sampler.ID{Cookie: 2, Proto: sampler.TCP}) {
		t.Error("released marks not kept")
	}
	runtime.KeepAlive(r)
	t.Logf("%.0f bytes a gone socket", per)
}

// A cookie remembered for two protocols (never in the kernel: cookies are
// unique across protocols) is remembered for each, apart.
func TestRecentGoneOneCookieTwoProtocols(t *testing.T) {
	r := newRecentGone(5*time.Second, 4)
	tcp, udp := sampler.ID{Cookie: 7, Proto: sampler.TCP}, sampler.ID{Cookie: 7, Proto: sampler.UDP}
	r.add(tcp, at(0), true)
	r.add(udp, at(1), false)
	if !r.has(tcp) || !r.released(tcp) || !r.has(udp) || r.released(udp) {
		t.Fatal("one cookie for two protocols: not both remembered as added")
	}
	r.expire(at(5).Add(1))
	if r.has(tcp) || !r.has(udp) {
		t.Error("expiry did not forget the tcp entry alone")
	}
}
