package history

import "github.com/porttop/porttop/sampler"

// listenerSet follows the TCP listeners, from the events the tracker is
// fed, so that each open is judged by sampler.Listeners' HandsOutPort: the
// rule the header's hand-out rate follows. An accepted connection shares
// its listener's port, so it is no hand-out.
type listenerSet struct {
	ports sampler.Listeners
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
			l.ports.Remove(&e.Socket)
		}
		if is {
			l.ports.Add(&e.Socket)
		}
	}
}

// handsOutPort: see sampler.Listeners.HandsOutPort.
func (l *listenerSet) handsOutPort(e *sampler.Event) bool { return l.ports.HandsOutPort(e) }
