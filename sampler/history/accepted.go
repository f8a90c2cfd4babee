package history

import "github.com/porttop/porttop/sampler"

// closesAccepted reports whether the socket e closes is an accepted
// connection, as judged when it opened: its listener may have closed since,
// in the same batch (a server stopped) or earlier (server-side TIME_WAIT
// outlives the listener), and its close still releases no port.
//
// The port's detail remembers each socket's judgement, so it answers
// exactly while the socket's use is still in the ring. Otherwise a port
// that still listens closes an accepted connection, as the header judges;
// one that no longer does closes one while accepted connections opened
// there are still open. Only when accepted connections and a later
// hand-out share a port with no detail left can the two be confused, and
// then only which close's hold TotalHeld sums.
func (t *Tracker) closesAccepted(s *slot, d *detail, e *sampler.Event) bool {
	if e.Socket.Proto != sampler.TCP || e.Socket.State == sampler.StateListen {
		return false
	}
	if d != nil {
		if x := d.find(e.Socket.ID); x != nil {
			return x.use.Accepted
		}
	}
	return !t.listeners.handsOutPort(e) || s.acceptedOpen > 0
}
