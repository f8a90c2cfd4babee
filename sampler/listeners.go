package sampler

import (
	"cmp"
	"net/netip"
	"slices"
)

// Listeners records the TCP listeners of one snapshot: which local ports
// have one, and on which addresses. It exists because an accepted
// connection (the server side of an incoming TCP connection) shares its
// listener's local port: the kernel hands no port out for it and releases
// none when it closes, so counting every Opened or Closed event as a port
// handed out or released overcounts each loopback or local-server
// connection. The zero value is an empty set; Reset refills it in place, so
// one Listeners serves every snapshot without allocating once it has grown.
// UDP has no listeners and is never affected.
type Listeners struct {
	tcp [65536 / 64]uint64 // ports with a listener: the common "no" costs one load
	// addrs holds each listener, sorted by port then address; a port's
	// listeners are few, and only a port with one is searched.
	addrs []listenEntry
}

// listenEntry is one listening socket, as Accepts needs it.
type listenEntry struct {
	local  netip.AddrPort // unmapped, no zone
	v6only bool
}

// Reset records the TCP listeners among sockets, forgetting the previous
// snapshot's.
func (l *Listeners) Reset(sockets []Socket) {
	clear(l.tcp[:])
	l.addrs = l.addrs[:0]
	for i := range sockets {
		s := &sockets[i]
		if s.Proto == TCP && s.State == StateListen {
			l.addrs = append(l.addrs, listenerOf(s))
			l.setBit(s.Local.Port())
		}
	}
	slices.SortFunc(l.addrs, compareListeners)
}

// Add records one more TCP listener, s, for a set kept from events rather
// than refilled from each snapshot.
func (l *Listeners) Add(s *Socket) {
	ln := listenerOf(s)
	i, _ := slices.BinarySearchFunc(l.addrs, ln, compareListeners)
	l.addrs = slices.Insert(l.addrs, i, ln)
	l.setBit(ln.local.Port())
}

// Remove forgets one TCP listener like s, if there is one.
func (l *Listeners) Remove(s *Socket) {
	ln := listenerOf(s)
	i, found := slices.BinarySearchFunc(l.addrs, ln, compareListeners)
	if !found {
		return
	}
	l.addrs = slices.Delete(l.addrs, i, i+1)
	if p := ln.local.Port(); len(l.onPort(p)) == 0 {
		l.tcp[p>>6] &^= 1 << (p & 63)
	}
}

// Listening reports whether a TCP listener holds local port p.
func (l *Listeners) Listening(p uint16) bool {
	return l.tcp[p>>6]&(1<<(p&63)) != 0
}

// Accepts reports whether a listener could have accepted a connection whose
// local end is local: one on its port, bound to its address or to the
// wildcard address of its family. A listener on 0.0.0.0 accepts IPv4 only;
// one on [::] accepts IPv6, and IPv4 too unless it is IPv6-only (V6Only).
func (l *Listeners) Accepts(local netip.AddrPort) bool {
	if !l.Listening(local.Port()) {
		return false
	}
	addr := unmapped(local).Addr()
	for _, ln := range l.onPort(local.Port()) {
		la := ln.local.Addr()
		switch {
		case la == addr:
			return true
		case !la.IsUnspecified():
		case la.Is4() && addr.Is4():
			return true
		case la.Is6() && (addr.Is6() || !ln.v6only):
			return true
		}
	}
	return false
}

// HandsOutPort reports whether e's socket holds a local port of its own, so
// that its Opened event is a port handed out and its Closed event a port
// released. It is false only for a TCP socket that is not itself listening
// and that a listener could have accepted (see Accepts). Listeners, client
// sockets (even one bound to a listener's port on another address) and all
// UDP sockets hand out their port. A nil Listeners knows of no listener, so
// every socket hands out its port.
//
// It judges by the snapshot given to Reset: the close of an accepted
// connection whose listener closed in the same sample counts as a release.
func (l *Listeners) HandsOutPort(e *Event) bool {
	s := &e.Socket
	if l == nil || s.Proto != TCP || s.State == StateListen {
		return true
	}
	return !l.Accepts(s.Local)
}

func (l *Listeners) setBit(p uint16) { l.tcp[p>>6] |= 1 << (p & 63) }

// onPort is the listeners on port p.
func (l *Listeners) onPort(p uint16) []listenEntry {
	lo, _ := slices.BinarySearchFunc(l.addrs, p, func(ln listenEntry, p uint16) int { return cmp.Compare(ln.local.Port(), p) })
	hi := lo
	for hi < len(l.addrs) && l.addrs[hi].local.Port() == p {
		hi++
	}
	return l.addrs[lo:hi]
}

func listenerOf(s *Socket) listenEntry { return listenEntry{unmapped(s.Local), s.V6Only} }

// unmapped is local as listeners are compared: an IPv4-mapped address as
// IPv4, without a zone.
func unmapped(local netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(local.Addr().Unmap().WithZone(""), local.Port())
}

func compareListeners(a, b listenEntry) int {
	if c := cmp.Compare(a.local.Port(), b.local.Port()); c != 0 {
		return c
	}
	if c := a.local.Addr().Compare(b.local.Addr()); c != 0 {
		return c
	}
	switch {
	case a.v6only == b.v6only:
		return 0
	case b.v6only:
		return -1
	}
	return 1
}
