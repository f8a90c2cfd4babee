package poll

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// With a source whose transitions are complete (sampler.EventTable: each
// carries the socket's cookie, its namespace, and on the opening one who
// opened it), the TCP table is kept from the transitions alone between
// full samples: a transition opens a socket, changes its state, or closes
// it, keyed by cookie as samples and releases are. What transitions cannot
// tell stays with the other steps: TIME_WAIT comes with the release report
// (Linux reports a socket handed to a timewait socket as going to CLOSE, the
// same as one that is gone), its expiry with the kernel's timer
// (ExpireTimeWait), UDP and bound-but-unconnected sockets with samples.

// transitionByCookie is Transition for a transition that names its socket
// by cookie (t.Cookie != 0).
func (r *Reconciler) transitionByCookie(at time.Time, t sampler.Transition, events []sampler.Event) []sampler.Event {
	key := sampler.ID{Cookie: t.Cookie, Proto: sampler.TCP}
	r.touch(key)
	s, gone, ok := r.current(key)
	if gone {
		return events // closed or released already
	}
	if !ok {
		if p, ok := r.pending[t.Cookie]; ok {
			return r.openPending(at, t, p, key, events)
		}
		switch {
		case r.recent.has(key):
			return events // a sample or a release reported it gone
		case t.From == sampler.StateClose && (t.To == sampler.StateSynSent || t.To == sampler.StateListen) && t.Local.Port() == 0:
			// connect() and an unbound listen() change the state before
			// the kernel picks the port: the next transition, or the next
			// check, has it.
			if len(r.pending) < pendingLimit {
				t.At = at
				r.pending[t.Cookie] = t
			}
			return events
		case t.From == sampler.StateClose && (t.To == sampler.StateSynSent || t.To == sampler.StateListen),
			t.From == sampler.StateSynRecv && t.To == sampler.StateEstablished:
			return r.openByTransition(at, t, key, events)
		}
		// An accepted child being born (LISTEN -> SYN_RECV: it opens when
		// its handshake completes), or a socket the table missed: the next
		// check tells.
		return events
	}
	if s.State != t.From {
		if !r.tableAhead(s.State, t) {
			r.disagreements++
		}
		return events
	}
	if t.To == sampler.StateClose {
		if t.From == sampler.StateFinWait1 || t.From == sampler.StateFinWait2 || t.From == sampler.StateClosing {
			// Maybe handed to a timewait socket, which keeps the port:
			// the release report says which (see ReleaseWatcher).
			return events
		}
		// Unhashed: its port is free now, whether or not its program
		// still holds the socket (its release may come much later).
		r.audit.endHandshake(s.ID, t.To)
		r.setAdjust(key, adjustment{gone: true})
		r.recent.add(key, at, true)
		closed := sampler.Event{Kind: sampler.Closed, Time: at, Socket: s, Held: sampler.Held(s.Since, at)}
		r.vanished.add([]sampler.Event{closed}, at)
		return append(events, closed)
	}
	r.audit.endHandshake(s.ID, t.To)
	prev := s.State
	s.State = t.To
	r.setAdjust(key, adjustment{socket: s})
	if t.To == sampler.StateListen {
		r.addListener(s)
	}
	return append(events, sampler.Event{Kind: sampler.StateChanged, Time: at, Socket: s, PrevState: prev})
}

// pendingLimit bounds the opens waiting for their port (see pending).
const pendingLimit = recentGoneLimit

// openPending opens a socket whose opening transition came before its port
// (kept in r.pending), now that a later transition t names it: at the
// opening transition's time, with its opener and place and t's addresses;
// then t applies to it. One whose port never came (a connect that failed
// for want of one) opens nothing.
func (r *Reconciler) openPending(at time.Time, t, open sampler.Transition, key sampler.ID, events []sampler.Event) []sampler.Event {
	delete(r.pending, t.Cookie)
	if t.Local.Port() == 0 {
		return events
	}
	open.Local, open.Remote = t.Local, t.Remote
	events = r.openByTransition(open.At, open, key, events)
	if !r.adjust.has(key) {
		return events // the query leaves it out
	}
	return r.transitionByCookie(at, t, events)
}

// resolvePending opens the sockets still waiting for their port that the
// sample next holds (its row gives the port), with their opener and place,
// and forgets those the sample holds whatever it is: a sample's open or
// the table's row stands for them from now on.
func (r *Reconciler) resolvePending(next *sampler.Snapshot, open bool, events []sampler.Event) []sampler.Event {
	if len(r.pending) == 0 {
		return events
	}
	for i := range next.Sockets {
		row := &next.Sockets[i]
		t, ok := r.pending[row.Cookie]
		if !ok || row.Proto != sampler.TCP {
			continue
		}
		delete(r.pending, row.Cookie)
		if !open {
			continue
		}
		t.Local, t.Remote, t.To = row.Local, row.Remote, row.State
		events = r.openByTransition(t.At, t, releaseKey(row.ID), events)
	}
	return events
}

// tableAhead reports whether a table holding a socket in state st, not
// t.From, is already where t takes it or further on (a sample or a
// release came first): no news. CLOSE is where a socket starts as well
// as ends, so it is never "further on".
func (r *Reconciler) tableAhead(st sampler.State, t sampler.Transition) bool {
	switch {
	case st == sampler.StateClose:
		return false
	case t.To == sampler.StateClose:
		return sampler.TCPCanReach(t.From, st) // e.g. TIME_WAIT by its release, before FIN_WAIT2 -> CLOSE
	}
	return st == t.To || sampler.TCPCanReach(t.To, st)
}

// current is the socket with release key key as the table holds it now:
// base as releases and transitions have left it. gone: they removed it.
func (r *Reconciler) current(key sampler.ID) (s sampler.Socket, gone, ok bool) {
	if a, ok := r.adjust.get(key); ok {
		return a.socket, a.gone, !a.gone
	}
	s, ok = r.inBase(key)
	return s, false, ok
}

// openByTransition opens the socket a transition made: an active open
// (CLOSE -> SYN_SENT), a listener (CLOSE -> LISTEN) or an accepted
// connection (SYN_RECV -> ESTABLISHED, which Linux reports once the
// handshake completes). Its event is a sample's open: cookie, Since (the
// kernel's time), owner and place. An accepted connection whose opener
// the source does not know takes the owner and place of the listener on
// its local address in its namespace, as attribution does for a sample.
func (r *Reconciler) openByTransition(at time.Time, t sampler.Transition, key sampler.ID, events []sampler.Event) []sampler.Event {
	s := sampler.Socket{
		ID:    sampler.ID{Cookie: t.Cookie, Proto: sampler.TCP, Local: t.Local, Remote: t.Remote},
		Owner: t.Opener,
		Place: t.Place,
		Since: sampler.StampOf(at),
		State: t.To,
	}
	if s.Netns == 0 {
		s.Netns = uint64(t.NetNS)
	}
	if t.Opener == (sampler.Owner{}) {
		s.UID = -1 // unknown, as sources say it
	}
	if !r.query.MatchesAddrs(&s) {
		return events // the source is not asked for it: nor are its events
	}
	if t.To == sampler.StateEstablished && (s.PID == 0 || s.CgroupID == 0 && s.Cgroup() == "") {
		if l, ok := r.listenerFor(&s); ok {
			if s.PID == 0 {
				s.Owner = l.Owner
				s.Owner.Gone = false
			}
			if s.CgroupID == 0 && s.Cgroup() == "" {
				names, from := s.Names(), l.Names()
				names.Cgroup, names.Container = from.Cgroup, from.Container
				if names.NetnsName == "" {
					names.NetnsName = from.NetnsName
				}
				s.CgroupID, s.Place = l.CgroupID, s.Place.WithNames(names)
			}
		}
	}
	events = r.closeReplaced(&s, at, events)
	r.audit.countReported(&s)
	r.setAdjust(key, adjustment{socket: s})
	if s.State == sampler.StateListen {
		r.addListener(s)
	}
	return append(events, sampler.Event{Kind: sampler.Opened, Time: at, Socket: s})
}

// listenKey finds listeners by namespace and port.
type listenKey struct {
	netns uint64
	port  uint16
}

// listeners are the table's TCP listeners, built from the table on first
// use after it is re-based and kept up to date by the transitions that open
// listeners (a listener that closed since stays until the next re-base:
// only a new connection to its port would ask, and a new listener there
// comes after it and wins).
type listeners struct {
	byPort map[listenKey][]sampler.Socket
	built  bool
}

func (r *Reconciler) addListener(s sampler.Socket) {
	if !r.listen.built {
		return // built from the table, which holds it, when first asked
	}
	k := listenKey{s.Netns, s.Local.Port()}
	r.listen.byPort[k] = append(r.listen.byPort[k], s)
}

// listenerFor finds the listener an accepted connection s came through:
// on its local address, or on the wildcard address of its family (or of
// IPv6, dual-stack), in its namespace; the latest added wins.
func (r *Reconciler) listenerFor(s *sampler.Socket) (sampler.Socket, bool) {
	if !r.listen.built {
		r.buildListeners()
	}
	cands := r.listen.byPort[listenKey{s.Netns, s.Local.Port()}]
	var wild *sampler.Socket
	for i := len(cands) - 1; i >= 0; i-- {
		l := &cands[i]
		a := l.Local.Addr()
		switch {
		case a == s.Local.Addr():
			return *l, true
		case wild != nil:
		case a.IsUnspecified() && a.Is4() && s.Local.Addr().Is4(),
			a.IsUnspecified() && a.Is6() && (s.Local.Addr().Is6() || !l.V6Only):
			wild = l
		}
	}
	if wild != nil {
		return *wild, true
	}
	return sampler.Socket{}, false
}

func (r *Reconciler) buildListeners() {
	if r.listen.byPort == nil {
		r.listen.byPort = map[listenKey][]sampler.Socket{}
	}
	clear(r.listen.byPort)
	r.listen.built = true
	add := func(s *sampler.Socket) {
		if s.Proto == sampler.TCP && s.State == sampler.StateListen {
			k := listenKey{s.Netns, s.Local.Port()}
			r.listen.byPort[k] = append(r.listen.byPort[k], *s)
		}
	}
	for i := range r.base.Sockets {
		s := &r.base.Sockets[i]
		if a, ok := r.adjust.get(releaseKey(s.ID)); ok {
			if !a.gone {
				add(&a.socket)
			}
			continue
		}
		add(s)
	}
	for key, a := range r.adjust.all() {
		if _, inBase := r.inBase(key); !inBase && !a.gone {
			add(&a.socket)
		}
	}
}
