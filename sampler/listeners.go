package sampler

// Listeners records which TCP local ports have a LISTEN socket in one
// snapshot. It exists because an accepted connection (the server side of an
// incoming TCP connection) shares its listener's local port: the kernel hands
// no port out for it and releases none when it closes, so counting every
// Opened or Closed event as a port handed out or released overcounts each
// loopback or local-server connection. The zero value is an empty set; Reset
// refills it in place, so one Listeners serves every snapshot without
// allocating. UDP has no listeners and is never affected.
type Listeners struct {
	tcp [65536 / 64]uint64
}

// Reset records the TCP listeners among sockets, forgetting the previous
// snapshot's. IPv4 and IPv6 listeners on the same port mark the same port:
// the question is only whether the port was handed out to a listener.
func (l *Listeners) Reset(sockets []Socket) {
	clear(l.tcp[:])
	for i := range sockets {
		s := &sockets[i]
		if s.Proto == TCP && s.State == StateListen {
			p := s.Local.Port()
			l.tcp[p>>6] |= 1 << (p & 63)
		}
	}
}

// Mark records whether a TCP listener holds local port p, for a set kept
// from events rather than refilled from each snapshot.
func (l *Listeners) Mark(p uint16, listening bool) {
	if listening {
		l.tcp[p>>6] |= 1 << (p & 63)
	} else {
		l.tcp[p>>6] &^= 1 << (p & 63)
	}
}

// Listening reports whether a TCP listener holds local port p.
func (l *Listeners) Listening(p uint16) bool {
	return l.tcp[p>>6]&(1<<(p&63)) != 0
}

// HandsOutPort reports whether e's socket holds a local port of its own, so
// that its Opened event is a port handed out and its Closed event a port
// released. It is false only for a TCP socket that is not itself listening
// and whose local port has a listener: an accepted connection. Listeners,
// client sockets and all UDP sockets hand out their port. A nil Listeners
// knows of no listener, so every socket hands out its port.
//
// It judges by the snapshot given to Reset: the close of an accepted
// connection whose listener closed in the same sample counts as a release.
func (l *Listeners) HandsOutPort(e *Event) bool {
	s := &e.Socket
	if l == nil || s.Proto != TCP || s.State == StateListen {
		return true
	}
	return !l.Listening(s.Local.Port())
}
