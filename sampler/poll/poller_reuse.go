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
func (p *Poller) closeReplaced(s *sampler.Socket, at time.Time, events []sampler.Event) []sampler.Event {
	if !p.baseIndex.built {
		p.baseIndex.build(p.base.Sockets)
	}
	addr := addressesOf(s.ID)
	var old sampler.Socket
	if key, ok := p.twByAddr[addr]; ok { // it reached TIME_WAIT since the last sample
		old = p.adjust[key].socket
	} else if i, ok := p.baseIndex.timeWait[addr]; ok {
		old = p.base.Sockets[i]
	} else {
		return events
	}
	key := releaseKey(old.ID)
	if old.Cookie == s.Cookie {
		return events
	}
	if a, ok := p.adjust[key]; ok && (a.gone || a.socket.State != sampler.StateTimeWait) {
		return events
	}
	p.adjust[key] = adjustment{gone: true}
	delete(p.twByAddr, addr)
	p.recent.add(key, at, true)
	return append(events, sampler.Event{Kind: sampler.Closed, Time: at, Socket: old, Held: sampler.Held(old.Since, at)})
}

// addressesOf is id without its cookie: the addresses two sockets never
// share at once.
func addressesOf(id sampler.ID) sampler.ID {
	return sampler.ID{Proto: id.Proto, Local: id.Local, Remote: id.Remote}
}
