package history

import "github.com/porttop/porttop/sampler"

// entry is a Use with the socket it belongs to, so a close finds its open.
type entry struct {
	id  sampler.ID
	use Use
}

// detail is a ring of a port's latest uses.
type detail struct {
	key   uint32
	ring  [RecentUses]entry
	next  int // where the next push goes
	count int
}

func (d *detail) push(e entry) {
	d.ring[d.next] = e
	d.next = (d.next + 1) % RecentUses
	d.count = min(d.count+1, RecentUses)
}

// find returns the newest still-open use of the socket, or nil.
func (d *detail) find(id sampler.ID) *entry {
	for i := 1; i <= d.count; i++ {
		e := &d.ring[(d.next-i+RecentUses)%RecentUses]
		if e.id == id && e.use.Closed.IsZero() {
			return e
		}
	}
	return nil
}

func (d *detail) uses() []Use {
	out := make([]Use, d.count)
	for i := range out {
		out[i] = d.ring[(d.next-1-i+RecentUses)%RecentUses].use
	}
	return out
}

func useOf(s *sampler.Socket) Use {
	return Use{Process: s.Process, PID: s.PID, Remote: s.Remote, State: s.State}
}

func (d *detail) opened(e *sampler.Event) {
	u := useOf(&e.Socket)
	u.Opened = e.Socket.Since
	if u.Opened.IsZero() {
		u.Opened = e.Time
	}
	d.push(entry{id: e.Socket.ID, use: u})
}

func (d *detail) changed(e *sampler.Event) {
	if x := d.find(e.Socket.ID); x != nil {
		x.use.State = e.Socket.State
		fillOwner(&x.use, &e.Socket)
		return
	}
	// Opened before this port's detail began: remember it from here on.
	u := useOf(&e.Socket)
	u.Opened = e.Socket.Since
	d.push(entry{id: e.Socket.ID, use: u})
}

func (d *detail) closed(e *sampler.Event) {
	x := d.find(e.Socket.ID)
	if x == nil {
		u := useOf(&e.Socket)
		u.Opened = e.Socket.Since
		if u.Opened.IsZero() && e.Held > 0 {
			u.Opened = e.Time.Add(-e.Held)
		}
		d.push(entry{id: e.Socket.ID, use: u})
		x = &d.ring[(d.next-1+RecentUses)%RecentUses]
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
