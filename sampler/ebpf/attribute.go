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
	// Home is the network namespace of sockets and transitions that do
	// not say theirs (a sample of porttop's namespace alone, a kernel
	// without BTF): porttop's own.
	Home uint32

	connecting map[uint64]sampler.Actor  // sockets in SYN_SENT, by kernel address
	listeners  map[addrKey]sampler.Actor // by namespace and local address
	owners     map[sockKey]*socketOwner  // by namespace, local, remote
	// byCookie remembers, for each socket a sample showed or a transition
	// carried the cookie of, its owner or that it has none, so that it is
	// looked up by cookie (a cheap 64-bit key, unique across namespaces)
	// rather than by its addresses.
	byCookie map[uint64]*cookieEntry
	samples  uint64 // Sample calls so far
	// The last sweep of the maps: its time and the samples count then.
	prunedAt      time.Time
	prunedSamples uint64
	// alive memoizes Alive within one Sample: one check per process, not
	// per socket.
	alive map[int32]bool
}

// sockKey names a connection by its addresses within its namespace: two
// namespaces can hold the same four-tuple.
type sockKey struct {
	ns            uint32
	local, remote netip.AddrPort
}

// addrKey is a local address within a namespace.
type addrKey struct {
	ns   uint32
	addr netip.AddrPort
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
	// accepted: the owner is the listener's process, taken for an
	// accepted socket's (a prefork server's worker may hold it instead).
	accepted bool
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
	// maxOwners bounds the owners and cookies remembered between two
	// sweeps (a sweep is forced when it is reached, as when no sample
	// comes).
	maxOwners = 1 << 20
)

// NewAttributor returns an empty Attributor.
func NewAttributor(alive func(pid int32) bool) *Attributor {
	return &Attributor{
		Alive:      alive,
		connecting: map[uint64]sampler.Actor{},
		listeners:  map[addrKey]sampler.Actor{},
		owners:     map[sockKey]*socketOwner{},
		byCookie:   map[uint64]*cookieEntry{},
	}
}

// Transition takes one transition in and returns the release it means, if
// any: a socket going to CLOSE is released, to TIME_WAIT when the kernel
// hands it over (from FIN_WAIT1, FIN_WAIT2 or CLOSING), else for good. The
// release carries a socket cookie only if a sample showed the socket (a
// tracepoint program cannot read cookies) or the transition carried one.
func (a *Attributor) Transition(tr sampler.Transition) (sampler.Release, bool) {
	ns := a.ns(uint64(tr.NetNS))
	key := sockKey{ns, tr.Local, tr.Remote}
	if len(a.owners) >= maxOwners || len(a.byCookie) >= maxOwners {
		a.prune(tr.At)
		if len(a.byCookie) >= maxOwners { // all recent: start afresh
			clear(a.byCookie)
		}
	}
	switch {
	case tr.From == sampler.StateClose && tr.To == sampler.StateSynSent && tr.Actor.Known:
		if tr.Local.Port() != 0 { // bound before connecting
			a.own(key, tr.Cookie, tr.Actor, tr.At)
		} else if tr.Cookie != 0 {
			// No port yet, but the cookie names the socket already.
			a.ownCookie(tr.Cookie, &socketOwner{actor: tr.Actor, cookie: tr.Cookie, seen: tr.At})
		}
		if len(a.connecting) >= maxPending {
			clear(a.connecting)
		}
		a.connecting[tr.Sock] = tr.Actor
	case tr.From == sampler.StateSynSent:
		if act, ok := a.connecting[tr.Sock]; ok {
			delete(a.connecting, tr.Sock)
			a.own(key, tr.Cookie, act, tr.At)
		}
	case tr.From == sampler.StateClose && tr.To == sampler.StateListen && tr.Actor.Known:
		if len(a.listeners) >= maxPending {
			clear(a.listeners)
		}
		a.listeners[addrKey{ns, tr.Local}] = tr.Actor
	case tr.From == sampler.StateListen && tr.To == sampler.StateSynRecv:
		if act, ok := a.listener(ns, tr.Local); ok {
			a.own(key, tr.Cookie, act, tr.At).accepted = true
		}
	case tr.Actor.Known && tr.From != sampler.StateListen:
		if a.lookup(key, tr.Cookie) == nil {
			a.own(key, tr.Cookie, tr.Actor, tr.At)
		}
	}
	if tr.To != sampler.StateClose {
		return sampler.Release{}, false
	}
	if tr.From == sampler.StateListen {
		delete(a.listeners, addrKey{ns, tr.Local})
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
	if o := a.lookup(key, tr.Cookie); o != nil {
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
	o := a.lookup(sockKey{a.ns(s.Netns), s.Local, s.Remote}, s.Cookie)
	if o != nil {
		a.fill(s, o)
	}
	return o != nil
}

// Opener is the process that opened tr's socket, as far as the
// transitions so far tell (call it after Transition(tr)).
func (a *Attributor) Opener(tr sampler.Transition) (sampler.Actor, bool) {
	if tr.From == sampler.StateClose && (tr.To == sampler.StateSynSent || tr.To == sampler.StateListen) && tr.Actor.Known {
		return tr.Actor, true
	}
	if tr.From == sampler.StateListen && tr.To == sampler.StateClose && tr.Actor.Known {
		return tr.Actor, true // the listener closing it
	}
	if act, ok := a.connecting[tr.Sock]; ok && tr.From == sampler.StateSynSent {
		return act, true
	}
	if o := a.lookup(sockKey{a.ns(uint64(tr.NetNS)), tr.Local, tr.Remote}, tr.Cookie); o != nil {
		return o.actor, true
	}
	return sampler.Actor{}, false
}

// ns is a namespace as the maps key it: Home when unknown.
func (a *Attributor) ns(netns uint64) uint32 {
	if netns == 0 {
		return a.Home
	}
	return uint32(netns)
}

// lookup finds a socket's owner by its cookie, else by its addresses.
func (a *Attributor) lookup(key sockKey, cookie uint64) *socketOwner {
	if cookie != 0 {
		if e := a.byCookie[cookie]; e != nil && e.owner != nil {
			return e.owner
		}
	}
	return a.owners[key]
}

func (a *Attributor) own(key sockKey, cookie uint64, act sampler.Actor, at time.Time) *socketOwner {
	o := &socketOwner{actor: act, cookie: cookie, seen: at}
	if prev := a.byCookie[cookie]; cookie != 0 && prev != nil && prev.owner != nil && prev.owner.actor == act {
		o = prev.owner // the same socket, now with its port
		o.seen = at
	}
	a.owners[key] = o
	if cookie != 0 {
		a.ownCookie(cookie, o)
	}
	return o
}

// ownCookie remembers o as the owner of the socket with this cookie.
func (a *Attributor) ownCookie(cookie uint64, o *socketOwner) {
	e := a.byCookie[cookie]
	if e == nil {
		e = &cookieEntry{checked: a.samples, seen: a.samples}
		a.byCookie[cookie] = e
	}
	e.owner = o
}

// listener finds the process listening on addr in namespace ns, or on its
// port at the wildcard address.
func (a *Attributor) listener(ns uint32, addr netip.AddrPort) (sampler.Actor, bool) {
	if act, ok := a.listeners[addrKey{ns, addr}]; ok {
		return act, true
	}
	for _, any := range []netip.Addr{netip.IPv4Unspecified(), netip.IPv6Unspecified()} {
		if act, ok := a.listeners[addrKey{ns, netip.AddrPortFrom(any, addr.Port())}]; ok {
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
		o := a.owners[sockKey{a.ns(s.Netns), s.Local, s.Remote}]
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
	a.prune(now)
}

// Known fills the owners of the TCP sockets of socks (a sample before its
// /proc walk; see procowner.Resolver.SetKnown) that the process which
// opened them surely holds still: it connected or listened on that very
// socket (a listener by its address), has not closed it, and runs. Sockets with a PID, or without an
// inode (no file holds them), are left alone, as are those whose owner is
// a listener's taken for its accepted socket, and those no transition
// told of: the walk finds their holders. It remembers nothing: Sample
// does the bookkeeping.
func (a *Attributor) Known(socks []sampler.Socket) {
	a.alive = map[int32]bool{}
	defer func() { a.alive = nil }()
	for i := range socks {
		s := &socks[i]
		if s.Proto != sampler.TCP || s.PID != 0 || s.Inode == 0 {
			continue
		}
		var o *socketOwner
		if e := a.byCookie[s.Cookie]; s.Cookie != 0 && e != nil {
			o = e.owner
		} else if o = a.owners[sockKey{a.ns(s.Netns), s.Local, s.Remote}]; o != nil && o.cookie != 0 && o.cookie != s.Cookie {
			o = nil // an earlier socket on the same addresses
		}
		if o == nil && s.State == sampler.StateListen {
			if act, ok := a.listeners[addrKey{a.ns(s.Netns), s.Local}]; ok {
				o = &socketOwner{actor: act}
			}
		}
		if o == nil || o.closed || o.accepted || !a.isAlive(o.actor.PID) {
			continue
		}
		a.fill(s, o)
	}
}

// prune forgets the owners of sockets gone for good, and the cookies of
// sockets in no sample since the last sweep and with no owner.
func (a *Attributor) prune(now time.Time) {
	for k, o := range a.owners {
		if age := now.Sub(o.seen); (o.closed && age > closedGrace) || age > openGrace {
			delete(a.owners, k)
		}
	}
	for c, e := range a.byCookie {
		if o := e.owner; o != nil {
			if age := now.Sub(o.seen); (o.closed && age > closedGrace) || age > openGrace {
				delete(a.byCookie, c)
			}
		} else if e.seen <= a.prunedSamples { // in no sample since the last sweep
			delete(a.byCookie, c)
		}
	}
	a.prunedAt, a.prunedSamples = now, a.samples
}

// Len is how many sockets have a remembered owner (for tests and memory
// checks).
func (a *Attributor) Len() int { return len(a.owners) }
