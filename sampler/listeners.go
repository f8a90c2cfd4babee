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
	// addrs holds each listener's local address, sorted by port then
	// address; a port's listeners are few, and only a port with one is
	// searched.
	addrs []netip.AddrPort
}

// Reset records the TCP listeners among sockets, forgetting the previous
// snapshot's.
func (l *Listeners) Reset(sockets []Socket) {
	clear(l.tcp[:])
	l.addrs = l.addrs[:0]
	for i := range sockets {
		s := &sockets[i]
		if s.Proto == TCP && s.State == StateListen {
			l.addrs = append(l.addrs, listenAddr(s.Local))
			l.setBit(s.Local.Port())
		}
	}
	slices.SortFunc(l.addrs, compareListenAddrs)
}

// Add records one more TCP listener on local, for a set kept from events
// rather than refilled from each snapshot.
func (l *Listeners) Add(local netip.AddrPort) {
	a := listenAddr(local)
	i, _ := slices.BinarySearchFunc(l.addrs, a, compareListenAddrs)
	l.addrs = slices.Insert(l.addrs, i, a)
	l.setBit(a.Port())
}

// Remove forgets one TCP listener on local, if there is one.
func (l *Listeners) Remove(local netip.AddrPort) {
	a := listenAddr(local)
	i, found := slices.BinarySearchFunc(l.addrs, a, compareListenAddrs)
	if !found {
		return
	}
	l.addrs = slices.Delete(l.addrs, i, i+1)
	if len(l.onPort(a.Port())) == 0 {
		l.tcp[a.Port()>>6] &^= 1 << (a.Port() & 63)
	}
}

// Listening reports whether a TCP listener holds local port p.
func (l *Listeners) Listening(p uint16) bool {
	return l.tcp[p>>6]&(1<<(p&63)) != 0
}

// Accepts reports whether a listener could have accepted a connection whose
// local end is local: one on its port, bound to its address or to the
// wildcard address (of either family: a dual-stack listener on [::]
// accepts IPv4 connections too).
func (l *Listeners) Accepts(local netip.AddrPort) bool {
	if !l.Listening(local.Port()) {
		return false
	}
	addr := listenAddr(local).Addr()
	for _, ln := range l.onPort(local.Port()) {
		if ln.Addr().IsUnspecified() || ln.Addr() == addr {
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
func (l *Listeners) onPort(p uint16) []netip.AddrPort {
	lo, _ := slices.BinarySearchFunc(l.addrs, p, func(a netip.AddrPort, p uint16) int { return cmp.Compare(a.Port(), p) })
	hi := lo
	for hi < len(l.addrs) && l.addrs[hi].Port() == p {
		hi++
	}
	return l.addrs[lo:hi]
}

// listenAddr is local as listeners are compared: an IPv4-mapped address as
// IPv4, without a zone.
func listenAddr(local netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(local.Addr().Unmap().WithZone(""), local.Port())
}

func compareListenAddrs(a, b netip.AddrPort) int {
	if c := cmp.Compare(a.Port(), b.Port()); c != 0 {
		return c
	}
	return a.Addr().Compare(b.Addr())
}
