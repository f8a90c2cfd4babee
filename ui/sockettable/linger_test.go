package sockettable

import (
	"net/netip"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// The lingering sockets are kept by cookie where they have one, by ID
// otherwise, and found by ID either way: a socket with the same cookie but
// other addresses is another socket, one without a cookie is told by its
// addresses; a set handed out is not changed by a change to its clone.
func TestLingerSetFindsSocketsByCookieAndByID(t *testing.T) {
	id := func(cookie uint64, local string) sampler.ID {
		return sampler.ID{Cookie: cookie, Proto: sampler.TCP, Local: netip.MustParseAddrPort(local),
			Remote: netip.MustParseAddrPort("10.0.0.9:443")}
	}
	withCookie, noCookie := id(7, "10.0.0.5:40000"), id(0, "10.0.0.5:40001")
	var s lingerSet
	for _, i := range []sampler.ID{withCookie, noCookie} {
		s.put(&lingering{s: sampler.Socket{ID: i}, until: t0.Add(time.Second)})
	}
	if s.len() != 2 {
		t.Fatalf("%d lingering, want 2", s.len())
	}
	for _, c := range []struct {
		id   sampler.ID
		want bool
	}{
		{withCookie, true},
		{noCookie, true},
		{id(7, "10.0.0.5:40002"), false}, // the cookie, other addresses
		{id(8, "10.0.0.5:40000"), false}, // the addresses, another cookie
		{id(0, "10.0.0.5:40000"), false}, // the addresses, no cookie
		{id(0, "10.0.0.5:40002"), false},
	} {
		if _, ok := s.get(c.id); ok != c.want {
			t.Errorf("get(%v %v) = %v, want %v", c.id.Cookie, c.id.Local, ok, c.want)
		}
	}
	if s.del(id(7, "10.0.0.5:40002")) {
		t.Error("another socket's ID deleted the one with its cookie")
	}
	c := s.clone()
	if !c.del(withCookie) || !c.del(noCookie) || c.len() != 0 {
		t.Errorf("the clone kept %d after both were deleted", c.len())
	}
	if s.len() != 2 {
		t.Errorf("deleting from the clone changed the set handed out: %d left", s.len())
	}
	if s.anyDue(t0) || !s.anyDue(t0.Add(time.Second)) || s.keep(t0.Add(time.Second)).len() != 0 || s.len() != 2 {
		t.Error("the sockets' time is up at their until, in a new set")
	}
}

// New sockets' highlights are kept by cookie where they have one, by ID
// otherwise: each is found by its own, on until its time, then forgotten.
func TestFreshSetByCookieAndByID(t *testing.T) {
	id := func(cookie uint64, local string) sampler.ID {
		return sampler.ID{Cookie: cookie, Proto: sampler.TCP, Local: netip.MustParseAddrPort(local)}
	}
	f := newFreshSet()
	a, b := id(7, "10.0.0.5:40000"), id(0, "10.0.0.5:40001")
	f.set(a, t0.Add(time.Second))
	f.set(b, t0.Add(2*time.Second))
	for _, c := range []struct {
		id   sampler.ID
		at   time.Time
		want bool
	}{
		{a, t0, true},
		{b, t0, true},
		{id(8, "10.0.0.5:40000"), t0, false},
		{id(0, "10.0.0.5:40000"), t0, false},
		{a, t0.Add(time.Second), false},
		{b, t0.Add(time.Second), true},
	} {
		if got := f.on(c.id, c.at); got != c.want {
			t.Errorf("on(%d %v, +%v) = %v, want %v", c.id.Cookie, c.id.Local, c.at.Sub(t0), got, c.want)
		}
	}
	if !f.expire(t0.Add(time.Second)) || f.len() != 1 || f.expire(t0.Add(time.Second)) {
		t.Errorf("after a's time: %d kept, want 1 (b)", f.len())
	}
	f.del(b)
	if f.len() != 0 {
		t.Errorf("%d kept after b was deleted", f.len())
	}
}

// closeAll is a batch closing every socket of socks at now.
func closeAll(socks []sampler.Socket, now time.Time) []sampler.Event {
	evs := make([]sampler.Event, len(socks))
	for i, s := range socks {
		evs[i] = sampler.Event{Kind: sampler.Closed, Time: now, Socket: s, Held: time.Second}
	}
	return evs
}

// TestLingeringStaysBounded: a burst of closes (TIME_WAIT sockets expiring
// by the tens of thousands) keeps at most maxLingering closed rows on
// show, the latest closed ones, whether the table takes the batch whole
// or prepared.
func TestLingeringStaysBounded(t *testing.T) {
	c := newChurnScript(3, 3, 2*6000, t0)
	first, second := c.socks[:6000], c.socks[6000:]
	var evs [2][]sampler.Event
	evs[0], evs[1] = closeAll(first, t0.Add(time.Second)), closeAll(second, t0.Add(2*time.Second))
	whole, lazy := newTable(100, 12), newTable(100, 12)
	var prep Preparer
	whole.Observe(c.socks, nil, t0)
	lazy.ObservePrepared(prep.PrepareBatch(c.socks, nil, t0, lazy.Settings()), c.socks, nil, t0)
	socks := []sampler.Socket{}
	for i, ev := range evs {
		now := t0.Add(time.Duration(i+1) * time.Second)
		whole.Observe(socks, ev, now)
		lazy.ObservePrepared(prep.PrepareBatch(socks, ev, now, lazy.Settings()), socks, ev, now)
	}
	for _, m := range []*Model{&whole, &lazy} {
		if m.Len() != maxLingering || m.lingering.len() != maxLingering {
			t.Errorf("%d rows, %d lingering after 12,000 closes, want %d", m.Len(), m.lingering.len(), maxLingering)
		}
		for _, s := range second {
			if _, ok := m.lingering.get(s.ID); !ok {
				t.Fatalf("%v, closed last, is not on show", s.ID)
			}
		}
	}
	if w, l := whole.view(t0.Add(2*time.Second), true), lazy.view(t0.Add(2*time.Second), true); w != l {
		t.Errorf("prepared table shows\n%s\nwant\n%s", l, w)
	}
}
