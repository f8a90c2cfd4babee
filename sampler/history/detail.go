package history

import (
	"net/netip"

	"github.com/porttop/porttop/sampler"
)

// entry is a Use with what tells the socket it belongs to, so a close
// finds its open: the detail's key is the protocol and the local port,
// the Use holds the remote end, the entry the rest of the ID (its
// cookie and local address: 32 bytes where the whole ID took 80, for up
// to RecentUses uses of each of maxDetailed ports).
type entry struct {
	cookie uint64
	local  netip.Addr
	use    Use
}

func entryOf(s *sampler.Socket, u Use) entry {
	return entry{cookie: s.Cookie, local: s.Local.Addr(), use: u}
}

// is reports whether e is a use of the socket of id, on the detail's port.
func (e *entry) is(id sampler.ID) bool {
	return e.cookie == id.Cookie && e.local == id.Local.Addr() && e.use.Remote == id.Remote
}

// detail is a ring of a port's latest uses, grown only as far as the port
// needs (most ports see one or two uses), up to RecentUses.
type detail struct {
	key  uint32
	ring []entry
	next int // where the next push goes once the ring is full
}

func (d *detail) push(e entry) {
	if len(d.ring) < RecentUses {
		d.ring = append(d.ring, e)
		d.next = len(d.ring) % RecentUses
		return
	}
	d.ring[d.next] = e
	d.next = (d.next + 1) % RecentUses
}

// nth is the i-th newest entry (0 = newest), i < len(d.ring).
func (d *detail) nth(i int) *entry {
	n := len(d.ring)
	return &d.ring[(d.next-1-i+2*n)%n]
}

// find returns the newest still-open use of the socket, or nil.
func (d *detail) find(id sampler.ID) *entry {
	for i := range d.ring {
		if e := d.nth(i); e.is(id) && e.use.Closed.IsZero() {
			return e
		}
	}
	return nil
}

func (d *detail) uses() []Use {
	out := make([]Use, len(d.ring))
	for i := range out {
		out[i] = d.nth(i).use
	}
	return out
}

// reset readies a recycled detail for another port, keeping its storage.
func (d *detail) reset(key uint32) {
	clear(d.ring)
	*d = detail{key: key, ring: d.ring[:0]}
}

func useOf(s *sampler.Socket, accepted bool) Use {
	return Use{Process: s.Process, PID: s.PID, Remote: s.Remote, State: s.State, Accepted: accepted}
}

func (d *detail) opened(e *sampler.Event, accepted bool) {
	u := useOf(&e.Socket, accepted)
	u.Opened = e.Socket.Since.Time()
	if u.Opened.IsZero() {
		u.Opened = e.Time
	}
	d.push(entryOf(&e.Socket, u))
}

func (d *detail) changed(e *sampler.Event, accepted bool) {
	if x := d.find(e.Socket.ID); x != nil {
		x.use.State = e.Socket.State
		fillOwner(&x.use, &e.Socket)
		return
	}
	// Opened before this port's detail began: remember it from here on.
	u := useOf(&e.Socket, accepted)
	u.Opened = e.Socket.Since.Time()
	d.push(entryOf(&e.Socket, u))
}

func (d *detail) closed(e *sampler.Event, accepted bool) {
	x := d.find(e.Socket.ID)
	if x == nil {
		u := useOf(&e.Socket, accepted)
		u.Opened = e.Socket.Since.Time()
		if u.Opened.IsZero() && e.Held > 0 {
			u.Opened = e.Time.Add(-e.Held)
		}
		d.push(entryOf(&e.Socket, u))
		x = d.nth(0)
	}
	x.use.Closed = e.Time
	x.use.Held = e.Held
	if x.use.Held == 0 && !x.use.Opened.IsZero() && e.Time.After(x.use.Opened) {
		x.use.Held = e.Time.Sub(x.use.Opened)
	}
	x.use.State = e.Socket.State
	fillOwner(&x.use, &e.Socket)
}

// fillOwner: attribution can arrive after the open.
func fillOwner(u *Use, s *sampler.Socket) {
	if u.PID == 0 && s.PID != 0 {
		u.PID, u.Process = s.PID, s.Process
	}
}
