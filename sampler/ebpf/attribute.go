package ebpf

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
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
	// slots hold the owners, by value: a sweep reads them in order, and
	// the maps below name them by ref (slot and generation: a slot freed
	// and reused makes the refs to its last owner stale, found as none).
	// free are the slots to reuse; live counts those in use.
	slots []socketOwner
	free  []uint32
	live  int
	// byAddr finds owners by namespace, local and remote address, by
	// their hash (sockKey.hash); byCookie by the cookie of their socket
	// that a transition carried or a sample showed. 8-byte keys and
	// values, no pointer for the collector to follow. Sockets with no
	// owner known have no entry: a sample looks each up by cookie, then
	// by address (the opening transitions of one it showed may come
	// after it). Before: maps of pointers, owners by 72-byte keys and an
	// entry for every socket a sample showed, whose sweeps took 0.39 s of
	// watch's 5.45 s CPU profile at ~100k sockets (BIG=1).
	byAddr   map[uint64]uint64
	byCookie map[uint64]uint64
	seed     uint64    // of byAddr's hashes
	prunedAt time.Time // the last sweep
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

// hash is k's key in byAddr: its addresses, ports and namespace mixed
// with the Attributor's seed (random: no one can pick addresses that
// collide). The hash stands for the key, which is not kept (72 bytes an
// owner): two keys share a hash once in 2^64, and a table of 100k owners
// makes a lookup find the wrong one about once in 10^14.
func (k sockKey) hash(seed uint64) uint64 {
	l, r := k.local.Addr().As16(), k.remote.Addr().As16()
	h := mix(seed^binary.LittleEndian.Uint64(l[:8]), binary.LittleEndian.Uint64(l[8:]))
	h = mix(h^binary.LittleEndian.Uint64(r[:8]), binary.LittleEndian.Uint64(r[8:]))
	return mix(h, uint64(k.ns)<<32|uint64(k.local.Port())<<16|uint64(k.remote.Port()))
}

// mix is a 64-bit multiply-and-fold mixer (wyhash's).
func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a^0xa0761d6478bd642f, b^0xe7037ed1a0b428db)
	return hi ^ lo
}

// addrKey is a local address within a namespace.
type addrKey struct {
	ns   uint32
	addr netip.AddrPort
}

// pruneEvery is the time between sweeps of the owners.
const pruneEvery = time.Second

type socketOwner struct {
	actor  sampler.Actor
	addr   uint64        // its addresses' hash: where byAddr has it, when keyed
	cookie uint64        // from the last sample that had the socket
	seen   time.Duration // since epoch: last transition or sample that had it
	gen    uint32        // of the slot: refs to an earlier owner are stale
	used   bool
	keyed  bool
	closed bool // the kernel closed it; kept while TIME_WAIT may hold the port
	// accepted: the owner is the listener's process, taken for an
	// accepted socket's (a prefork server's worker may hold it instead).
	accepted bool
}

// epoch is where owners' times count from: 8 bytes a time, not 24.
var epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func since(t time.Time) time.Duration { return t.Sub(epoch) }

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
		byAddr:     map[uint64]uint64{},
		byCookie:   map[uint64]uint64{},
		seed:       rand.Uint64(),
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
	if a.live >= maxOwners || len(a.byCookie) >= maxOwners {
		a.prune(tr.At)
		if a.live >= maxOwners || len(a.byCookie) >= maxOwners { // all recent: start afresh
			a.forget()
		}
	}
	switch {
	case tr.From == sampler.StateClose && tr.To == sampler.StateSynSent && tr.Actor.Known:
		if tr.Local.Port() != 0 { // bound before connecting
			a.own(key, tr.Cookie, tr.Actor, tr.At)
		} else if tr.Cookie != 0 {
			// No port yet, but the cookie names the socket already.
			i := a.newOwner(tr.Actor, tr.Cookie, tr.At)
			a.byCookie[tr.Cookie] = a.ref(i)
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
		o.closed, o.seen = true, since(tr.At)
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

// ref names slot i's owner in the maps: never 0, what a map gives for a
// key it lacks.
func (a *Attributor) ref(i uint32) uint64 { return uint64(a.slots[i].gen)<<32 | uint64(i+1) }

// owner is the owner ref v names (a slot's generation, 31 bits, and its
// index plus one); nil for 0 (no entry) or a stale ref.
func (a *Attributor) owner(v uint64) *socketOwner {
	i := int(uint32(v)) - 1
	if i < 0 || i >= len(a.slots) {
		return nil
	}
	o := &a.slots[i]
	if !o.used || o.gen != uint32(v>>32) {
		return nil
	}
	return o
}

// byAddress is the owner remembered for key, if any, and its ref.
func (a *Attributor) byAddress(key sockKey) (*socketOwner, uint64) {
	v, ok := a.byAddr[key.hash(a.seed)] // the slot has this hash: its key
	if !ok {
		return nil, 0
	}
	if o := a.owner(v); o != nil && o.keyed {
		return o, v
	}
	return nil, 0
}

// lookup finds a socket's owner by its cookie, else by its addresses.
func (a *Attributor) lookup(key sockKey, cookie uint64) *socketOwner {
	if cookie != 0 {
		if o := a.owner(a.byCookie[cookie]); o != nil {
			return o
		}
	}
	o, _ := a.byAddress(key)
	return o
}

// newOwner takes a slot for a new owner (which moves a.slots: pointers
// into it taken before are void).
func (a *Attributor) newOwner(act sampler.Actor, cookie uint64, at time.Time) uint32 {
	var i uint32
	if n := len(a.free); n > 0 {
		i, a.free = a.free[n-1], a.free[:n-1]
	} else {
		a.slots = append(a.slots, socketOwner{})
		i = uint32(len(a.slots) - 1)
	}
	a.slots[i] = socketOwner{actor: act, cookie: cookie, seen: since(at), gen: a.slots[i].gen, used: true}
	a.live++
	return i
}

func (a *Attributor) own(key sockKey, cookie uint64, act sampler.Actor, at time.Time) *socketOwner {
	var i uint32
	v := a.byCookie[cookie]
	if prev := a.owner(v); cookie != 0 && prev != nil && prev.actor == act {
		// The same socket, now with its port.
		prev.seen = since(at)
		i = uint32(v) - 1
	} else {
		i = a.newOwner(act, cookie, at)
		if cookie != 0 {
			a.byCookie[cookie] = a.ref(i)
		}
	}
	o := &a.slots[i]
	h := key.hash(a.seed)
	if o.keyed && o.addr != h && a.byAddr[o.addr] == a.ref(i) {
		delete(a.byAddr, o.addr)
	}
	o.addr, o.keyed = h, true
	a.byAddr[h] = a.ref(i)
	return o
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
	a.alive = map[int32]bool{}
	defer func() { a.alive = nil }()
	for i := range snap.Sockets {
		s := &snap.Sockets[i]
		if s.Proto != sampler.TCP {
			continue
		}
		var o *socketOwner
		if s.Cookie != 0 {
			o = a.owner(a.byCookie[s.Cookie])
		}
		if o == nil {
			var ref uint64
			if o, ref = a.byAddress(sockKey{a.ns(s.Netns), s.Local, s.Remote}); o == nil {
				continue
			}
			if o.cookie != s.Cookie && o.cookie != 0 && a.byCookie[o.cookie] == ref {
				delete(a.byCookie, o.cookie) // an earlier socket's: its ref would outlive the slot
			}
			if s.Cookie != 0 {
				a.byCookie[s.Cookie] = ref
			}
			o.cookie = s.Cookie
		}
		o.seen = since(now)
		a.fill(s, o)
	}
	if now.Sub(a.prunedAt) < pruneEvery {
		return
	}
	a.prune(now)
}

// Saw marks the owners of the sockets with these cookies seen at now, as
// Sample does for the sockets of a snapshot: a check that leaves the
// sockets it holds already out of its sample (sampler.RowFilter) tells
// their cookies here, so that their owners are not forgotten as of
// sockets gone (openGrace).
func (a *Attributor) Saw(cookies []uint64, now time.Time) {
	t := since(now)
	for _, c := range cookies {
		if o := a.owner(a.byCookie[c]); o != nil {
			o.seen = t
		}
	}
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
		if v, ok := a.byCookie[s.Cookie]; s.Cookie != 0 && ok {
			o = a.owner(v)
		} else if o, _ = a.byAddress(sockKey{a.ns(s.Netns), s.Local, s.Remote}); o != nil && o.cookie != 0 && o.cookie != s.Cookie {
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

// prune forgets the owners of sockets gone for good: one pass over the
// slots.
func (a *Attributor) prune(now time.Time) {
	t := since(now)
	for i := range a.slots {
		o := &a.slots[i]
		if !o.used {
			continue
		}
		if age := t - o.seen; (o.closed && age > closedGrace) || age > openGrace {
			a.release(uint32(i))
		}
	}
	a.shrink()
	a.prunedAt = now
}

// release frees slot i and the maps' refs to it.
func (a *Attributor) release(i uint32) {
	o, r := &a.slots[i], a.ref(i)
	if o.cookie != 0 && a.byCookie[o.cookie] == r {
		delete(a.byCookie, o.cookie)
	}
	if o.keyed && a.byAddr[o.addr] == r {
		delete(a.byAddr, o.addr)
	}
	*o = socketOwner{gen: (o.gen + 1) & (1<<31 - 1)}
	a.free = append(a.free, i)
	a.live--
}

// shrink moves the owners into a smaller slice once at most a quarter of
// the slots hold one (after a burst of connections), renumbering the
// refs (a stale one, rare, is dropped).
func (a *Attributor) shrink() {
	if len(a.slots) <= shrinkFrom || a.live*4 > len(a.slots) {
		return
	}
	next := make([]socketOwner, 0, 2*a.live)
	to := make([]uint32, len(a.slots))
	for i := range a.slots {
		if o := a.slots[i]; o.used {
			to[i], o.gen = uint32(len(next)), 0
			next = append(next, o)
		}
	}
	for _, m := range [...]map[uint64]uint64{a.byCookie, a.byAddr} {
		for k, v := range m {
			if a.owner(v) == nil {
				delete(m, k)
			} else {
				m[k] = uint64(to[uint32(v)-1] + 1)
			}
		}
	}
	a.slots, a.free = next, nil
}

// shrinkFrom is the fewest slots shrink bothers with.
const shrinkFrom = 4096

// forget drops every owner and cookie.
func (a *Attributor) forget() {
	clear(a.byCookie)
	clear(a.byAddr)
	a.slots, a.free, a.live = nil, nil, 0
}

// Len is how many sockets have a remembered owner (for tests and memory
// checks).
func (a *Attributor) Len() int { return a.live }
