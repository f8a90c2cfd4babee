package history

import "github.com/porttop/porttop/sampler"

// listenerSet follows the TCP listeners, from the events the tracker is
// fed and the snapshots it is taught (LearnListeners), so that each open is
// judged by sampler.Listeners' HandsOutPort: the rule the header's hand-out
// rate follows. An accepted connection shares its listener's port, so it
// is no hand-out.
type listenerSet struct {
	ports sampler.Listeners
	// known are the listening sockets in ports, by identity: a listener
	// reported twice (by a narrowed sampler's snapshot, then by the
	// machine-wide sampler's first batch) is added once, and the close of
	// one never added removes none. Bounded by the listeners open.
	known map[sampler.ID]struct{}
}

// update applies a batch's listener opens, closes and state changes, so the
// set stands as at the batch's snapshot, the one the header judges by.
func (l *listenerSet) update(events []sampler.Event) {
	for i := range events {
		e := &events[i]
		if e.Socket.Proto != sampler.TCP {
			continue
		}
		var was, is bool
		switch e.Kind {
		case sampler.Opened:
			is = e.Socket.State == sampler.StateListen
		case sampler.Closed:
			was = e.Socket.State == sampler.StateListen
		case sampler.StateChanged:
			was, is = e.PrevState == sampler.StateListen, e.Socket.State == sampler.StateListen
		}
		if was {
			l.remove(&e.Socket)
		}
		if is {
			l.add(&e.Socket)
		}
	}
}

// learn adds the TCP listeners among sockets that the set does not know.
func (l *listenerSet) learn(sockets []sampler.Socket) {
	for i := range sockets {
		if s := &sockets[i]; s.Proto == sampler.TCP && s.State == sampler.StateListen {
			l.add(s)
		}
	}
}

func (l *listenerSet) add(s *sampler.Socket) {
	if _, ok := l.known[s.ID]; ok {
		return
	}
	if l.known == nil {
		l.known = make(map[sampler.ID]struct{})
	}
	l.known[s.ID] = struct{}{}
	l.ports.Add(s)
}

func (l *listenerSet) remove(s *sampler.Socket) {
	if _, ok := l.known[s.ID]; !ok {
		return
	}
	delete(l.known, s.ID)
	l.ports.Remove(s)
}

// handsOutPort: see sampler.Listeners.HandsOutPort.
func (l *listenerSet) handsOutPort(e *sampler.Event) bool { return l.ports.HandsOutPort(e) }
