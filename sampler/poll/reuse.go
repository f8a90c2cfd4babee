package poll

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// closeReplaced closes, at at, the socket of the last sample in TIME_WAIT
// whose addresses the new socket s has: two sockets never share all four,
// so the kernel has let the old one go for the new (a SYN taking over a
// TIME_WAIT pair, as loopback's tcp_tw_reuse allows). Without it the old
// one's close would come only with the next sample, after the new one's
// open, and a reader following sockets by their addresses would see the
// new one closed.
func (r *Reconciler) closeReplaced(s *sampler.Socket, at time.Time, events []sampler.Event) []sampler.Event {
	if !r.baseIndex.built {
		r.baseIndex.build(r.base.Sockets)
	}
	addr := addressesOf(s.ID)
	var old sampler.Socket
	if key, ok := r.adjust.timeWait(addr); ok { // it reached TIME_WAIT since the last sample
		a, _ := r.adjust.get(key)
		old = a.socket
	} else if i, ok := r.baseIndex.timeWait.find(r.base.Sockets, addr); ok {
		old = r.base.Sockets[i]
	} else {
		return events
	}
	key := releaseKey(old.ID)
	if old.Cookie == s.Cookie {
		return events
	}
	if a, ok := r.adjust.get(key); ok && (a.gone || a.socket.State != sampler.StateTimeWait) {
		return events
	}
	r.setAdjust(key, adjustment{gone: true})
	r.adjust.forgetTimeWait(addr)
	r.recent.add(key, at, true)
	return append(events, sampler.Event{Kind: sampler.Closed, Time: at, Socket: old, Held: sampler.Held(old.Since, at)})
}

// addressesOf is id without its cookie: the addresses two sockets never
// share at once.
func addressesOf(id sampler.ID) sampler.ID {
	return sampler.ID{Proto: id.Proto, Local: id.Local, Remote: id.Remote}
}
