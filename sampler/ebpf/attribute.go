package ebpf

import (
	"net/netip"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Attributor remembers which process opened each TCP socket, from the
// transition stream, so that a socket keeps its process after the process
// exits (a client that made a TIME_WAIT pile-up and quit). It is
// synchronous: the source's reader goroutine feeds it transitions and the
// sampling goroutine asks it to attribute snapshots, under one lock.
//
// Who opened a socket: the caller of connect (CLOSE -> SYN_SENT, whose
// port is picked after the transition, so it is remembered by the kernel's
// socket address until the next transition brings the port); for an
// accepted socket, the process that listens on its local address; failing
// both, a process seen closing it.
type Attributor struct {
	// Alive reports whether a pid still runs; nil means assume not.
	Alive func(pid int32) bool

	connecting map[uint64]sampler.Actor           // sockets in SYN_SENT, by kernel address
	listeners  map[netip.AddrPort]sampler.Actor   // by local address
	owners     map[[2]netip.AddrPort]*socketOwner // by local, remote
	// byCookie remembers, for each socket a sample showed, its owner or
	// that it has none, so that the next samples look it up by cookie (a
	// cheap 64-bit key) rather than by its addresses.
	byCookie map[uint64]*cookieEntry
	samples  uint64 // Sample calls so far
	// The last sweep of the maps: its time and the samples count then.
	prunedAt      time.Time
	prunedSamples uint64
	// alive memoizes Alive within one Sample: one check per process, not
	// per socket.
	alive map[int32]bool
}

type cookieEntry struct {
	owner   *socketOwner // nil: none known when checked
	checked uint64       // the sample that last looked it up by address
	seen    uint64       // the sample that last had it
}

const (
	// recheckEvery is how many samples a socket with no known owner
	// waits before it is looked up by address again (its opening
	// transitions may have come late).
	recheckEvery = 10
	// pruneEvery is the time between sweeps of the maps.
	pruneEvery = time.Second
)

type socketOwner struct {
	actor  sampler.Actor
	cookie uint64    // from the last sample that had the socket
	closed bool      // the kernel closed it; kept while TIME_WAIT may hold the port
	seen   time.Time // last transition or sample that had it
}

const (
	// How long an owner outlives its socket's last sighting: TIME_WAIT
	// lasts 60 s on Linux and shows in every sample meanwhile, so a closed
	// socket gone from one sample is gone; an open one missing for this
	// long had its close lost.
	closedGrace = 5 * time.Second
	openGrace   = 2 * time.Minute
	// maxPending bounds the maps fed by transitions alone.
	maxPending = 1 << 16
)

// NewAttributor returns an empty Attributor.
func NewAttributor(alive func(pid int32) bool) *Attributor {
	return &Attributor{
		Alive:      alive,
		connecting: map[uint64]sampler.Actor{},
		listeners:  map[netip.AddrPort]sampler.Actor{},
		owners:     map[[2]netip.AddrPort]*socketOwner{},
		byCookie:   map[uint64]*cookieEntry{},
	}
}

// Transition takes one transition in and returns the release it means, if
// any: a socket going to CLOSE is released, to TIME_WAIT when the kernel
// hands it over (from FIN_WAIT1, FIN_WAIT2 or CLOSING), else for good. The
// release carries a socket cookie only if a sample showed the socket (a
// tracepoint program cannot read cookies).
func (a *Attributor) Transition(tr sampler.Transition) (sampler.Release, bool) {
	key := [2]netip.AddrPort{tr.Local, tr.Remote}
	switch {
	case tr.From == sampler.StateClose && tr.To == sampler.StateSynSent && tr.Actor.Known:
		if len(a.connecting) >= maxPending {
			clear(a.connecting)
		}
		a.connecting[tr.Sock] = tr.Actor
		if tr.Local.Port() != 0 { // bound before connecting
			a.own(key, tr.Actor, tr.At)
		}
	case tr.From == sampler.StateSynSent:
		if act, ok := a.connecting[tr.Sock]; ok {
			delete(a.connecting, tr.Sock)
			a.own(key, act, tr.At)
		}
	case tr.From == sampler.StateClose && tr.To == sampler.StateListen && tr.Actor.Known:
		if len(a.listeners) >= maxPending {
			clear(a.listeners)
		}
		a.listeners[tr.Local] = tr.Actor
	case tr.From == sampler.StateListen && tr.To == sampler.StateSynRecv:
		if act, ok := a.listener(tr.Local); ok {
			a.own(key, act, tr.At)
		}
	case tr.Actor.Known && tr.From != sampler.StateListen:
		if _, ok := a.owners[key]; !ok {
			a.own(key, tr.Actor, tr.At)
		}
	}
	if tr.To != sampler.StateClose {
		return sampler.Release{}, false
	}
	if tr.From == sampler.StateListen {
		delete(a.listeners, tr.Local)
	}
	if tr.Local.Port() == 0 { // a connect that failed before it had a port
		return sampler.Release{}, false
	}
	rel := sampler.Release{At: tr.At, Socket: sampler.Socket{
		ID:    sampler.ID{Proto: sampler.TCP, Local: tr.Local, Remote: tr.Remote},
		State: sampler.StateClose,
		Owner: sampler.Owner{UID: -1},
	}}
	handoff := tr.From == sampler.StateFinWait1 || tr.From == sampler.StateFinWait2 || tr.From == sampler.StateClosing
	if handoff {
		rel.Socket.State = sampler.StateTimeWait
	}
	if o, ok := a.owners[key]; ok {
		rel.Socket.Cookie = o.cookie
		a.fill(&rel.Socket, o)
		// Kept a while: TIME_WAIT holds the port on, and netlink's report
		// of the release may come after this transition.
		o.closed, o.seen = true, tr.At
	}
	return rel, true
}

// Name fills in the opener of a released socket (from netlink's destroy
// reports) where the report has no process.
// It reports whether it knew the opener.
func (a *Attributor) Name(s *sampler.Socket) bool {
	if s.Proto != sampler.TCP {
		return false
	}
	o, ok := a.owners[[2]netip.AddrPort{s.Local, s.Remote}]
	if ok {
		a.fill(s, o)
	}
	return ok
}

func (a *Attributor) own(key [2]netip.AddrPort, act sampler.Actor, at time.Time) {
	a.owners[key] = &socketOwner{actor: act, seen: at}
}

// listener finds the process listening on addr, or on its port at the
// wildcard address.
func (a *Attributor) listener(addr netip.AddrPort) (sampler.Actor, bool) {
	if act, ok := a.listeners[addr]; ok {
		return act, true
	}
	for _, any := range []netip.Addr{netip.IPv4Unspecified(), netip.IPv6Unspecified()} {
		if act, ok := a.listeners[netip.AddrPortFrom(any, addr.Port())]; ok {
			return act, true
		}
	}
	return sampler.Actor{}, false
}

// fill names the socket's process where the snapshot does not.
func (a *Attributor) fill(s *sampler.Socket, o *socketOwner) {
	if s.PID != 0 {
		return
	}
	// The opener holds it still unless it closed it or exited; the owner
	// rules (sampler.Owner) say the rest, TIME_WAIT's included.
	opener := sampler.Owner{PID: o.actor.PID, Process: o.actor.Comm, UID: int32(o.actor.UID)}
	s.UID = -1 // the opener's uid, as the kernel saw it act
	s.Owner = s.Owner.Inherit(opener, !o.closed && a.isAlive(o.actor.PID)).In(s.State)
}

func (a *Attributor) isAlive(pid int32) bool {
	if a.Alive == nil {
		return false
	}
	if a.alive == nil {
		return a.Alive(pid)
	}
	alive, ok := a.alive[pid]
	if !ok {
		alive = a.Alive(pid)
		a.alive[pid] = alive
	}
	return alive
}

// Sample attributes the snapshot's TCP sockets that have no process and
// forgets the owners of sockets gone for good.
func (a *Attributor) Sample(snap *sampler.Snapshot) {
	now := snap.Time
	a.samples++
	a.alive = map[int32]bool{}
	defer func() { a.alive = nil }()
	for i := range snap.Sockets {
		s := &snap.Sockets[i]
		if s.Proto != sampler.TCP {
			continue
		}
		e := a.byCookie[s.Cookie]
		if s.Cookie != 0 && e != nil && (e.owner != nil || a.samples-e.checked < recheckEvery) {
			e.seen = a.samples
			if e.owner != nil {
				e.owner.seen = now
				a.fill(s, e.owner)
			}
			continue
		}
		o := a.owners[[2]netip.AddrPort{s.Local, s.Remote}]
		if s.Cookie != 0 {
			if e == nil {
				e = &cookieEntry{}
				a.byCookie[s.Cookie] = e
			}
			e.owner, e.checked, e.seen = o, a.samples, a.samples
		}
		if o != nil {
			o.seen, o.cookie = now, s.Cookie
			a.fill(s, o)
		}
	}
	if now.Sub(a.prunedAt) < pruneEvery {
		return
	}
	for k, o := range a.owners {
		if age := now.Sub(o.seen); (o.closed && age > closedGrace) || age > openGrace {
			delete(a.owners, k)
			if e := a.byCookie[o.cookie]; e != nil && e.owner == o {
				delete(a.byCookie, o.cookie)
			}
		}
	}
	for c, e := range a.byCookie {
		if e.seen <= a.prunedSamples { // in no sample since the last sweep
			delete(a.byCookie, c)
		}
	}
	a.prunedAt, a.prunedSamples = now, a.samples
}

// Len is how many sockets have a remembered owner (for tests and memory
// checks).
func (a *Attributor) Len() int { return len(a.owners) }
