package sampler

import "time"

// closeReplaced closes, at at, the socket of the last sample in TIME_WAIT
// whose addresses the new socket s has: two sockets never share all four,
// so the kernel has let the old one go for the new (a SYN taking over a
// TIME_WAIT pair, as loopback's tcp_tw_reuse allows). Without it the old
// one's close would come only with the next sample, after the new one's
// open, and a reader following sockets by their addresses would see the
// new one closed.
func (p *Poller) closeReplaced(s *Socket, at time.Time, events []Event) []Event {
	if !p.baseIndex.built {
		p.baseIndex.build(p.base.Sockets)
	}
	addr := addressesOf(s.ID)
	var old Socket
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
	if a, ok := p.adjust[key]; ok && (a.gone || a.socket.State != StateTimeWait) {
		return events
	}
	p.adjust[key] = adjustment{gone: true}
	delete(p.twByAddr, addr)
	p.recent.add(key, at, true)
	return append(events, Event{Kind: Closed, Time: at, Socket: old, Held: held(old.Since, at)})
}

// addressesOf is id without its cookie: the addresses two sockets never
// share at once.
func addressesOf(id ID) ID { return ID{Proto: id.Proto, Local: id.Local, Remote: id.Remote} }
