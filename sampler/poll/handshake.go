package poll

import "github.com/porttop/porttop/sampler"

// The kernel's PassiveOpens counts a connection once its handshake
// completes, when the child socket is made; the server's socket of a
// handshake still in progress (SYN_RECV) is no connection yet, and a SYN
// scan or lossy clients leave many that never become one. So such a socket
// is not counted at its open: it waits in halfOpen until a state change
// takes it past SYN_RECV (counted then) or it goes away without (never
// counted).

// halfOpenLimit bounds the sockets awaiting their handshake's end; past it
// new ones are not tracked (and so not counted), whatever a flood does.
const halfOpenLimit = recentGoneLimit

// inHandshake tells a TCP socket in the server's half of a handshake not yet
// complete (NEW_SYN_RECV is how the kernel keeps it; it reports SYN_RECV).
func inHandshake(s *sampler.Socket) bool {
	return s.Proto == sampler.TCP && (s.State == sampler.StateSynRecv || s.State == sampler.StateNewSynRecv)
}

// completesHandshake tells whether a socket of a handshake in progress that
// moved to state st completed it: any state but CLOSE (reset or timed out)
// is past the handshake.
func completesHandshake(st sampler.State) bool {
	return st != sampler.StateClose && st != sampler.StateSynRecv && st != sampler.StateNewSynRecv
}

// trackHandshakes keeps halfOpen up to date with a sample's events and
// counts, among the TCP connections reported, the handshakes completed.
// Sockets already there at the first sample (or hidden by an earlier query)
// are tracked too: the kernel counts their completion after its counters
// were first read.
func (a *audit) trackHandshakes(events []sampler.Event) {
	for i := range events {
		e := &events[i]
		switch e.Kind {
		case sampler.Opened:
			a.opened(&e.Socket)
		case sampler.StateChanged:
			a.endHandshake(e.Socket.ID, e.Socket.State)
		case sampler.Closed:
			delete(a.halfOpen, releaseKey(e.Socket.ID))
		}
	}
}

// opened tracks s, just opened, if its handshake is in progress.
func (a *audit) opened(s *sampler.Socket) {
	if inHandshake(s) && len(a.halfOpen) < halfOpenLimit {
		a.halfOpen[releaseKey(s.ID)] = struct{}{}
	}
}

// endHandshake settles a tracked socket that left SYN_RECV for state st, or
// was released in st: counted when the handshake completed.
func (a *audit) endHandshake(id sampler.ID, st sampler.State) {
	if len(a.halfOpen) == 0 {
		return
	}
	key := releaseKey(id)
	if _, ok := a.halfOpen[key]; !ok {
		return
	}
	delete(a.halfOpen, key)
	if completesHandshake(st) {
		a.ReportedTCP++
	}
}

// isTCPConnection tells whether an open event is one the kernel's TCP open
// counters count: a TCP socket that is not a listener and has had a remote
// end. ActiveOpens counts connect() attempts and PassiveOpens accepted
// children, both with a peer; a socket bound but never connected (reported
// in state CLOSE with no remote address or port) is neither. A refused
// connect() keeps its remote end and still counts, as the kernel counts it;
// so does a connection reset by SO_LINGER 0, which the kernel reports
// released with its remote port cleared but its remote address kept. The
// server's socket of a handshake not yet complete (SYN_RECV) is not one
// yet: PassiveOpens counts it when the handshake completes (see
// trackHandshakes).
func isTCPConnection(s *sampler.Socket) bool {
	if s.Proto != sampler.TCP || s.State == sampler.StateListen || inHandshake(s) {
		return false
	}
	peer := s.Remote
	return peer.Port() != 0 || (peer.Addr().IsValid() && !peer.Addr().IsUnspecified())
}
