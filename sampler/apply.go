package sampler

// Apply plays events onto a snapshot, the inverse of Diff, for replay: Opened
// adds (or replaces) the socket, StateChanged replaces it, Closed removes it.
// Events are applied in order, so a merged batch (a socket opened and closed
// within it) plays correctly. prev is not modified. The result's Time is the
// latest event's, or prev.Time when there are none. A Closed or StateChanged
// event for a socket not in prev is applied as far as it can be: the close is
// ignored, the state change adds the socket.
func Apply(prev Snapshot, events []Event) Snapshot {
	out := Snapshot{Time: prev.Time, Sockets: make([]Socket, len(prev.Sockets), len(prev.Sockets)+len(events))}
	copy(out.Sockets, prev.Sockets)
	index := make(map[ID]int, len(out.Sockets))
	for i := range out.Sockets {
		index[out.Sockets[i].ID] = i
	}
	var gone []bool // positions closed, swept at the end
	for _, e := range events {
		if e.Time.After(out.Time) {
			out.Time = e.Time
		}
		at, ok := index[e.Socket.ID]
		switch e.Kind {
		case Opened, StateChanged:
			if ok {
				out.Sockets[at] = e.Socket
			} else {
				index[e.Socket.ID] = len(out.Sockets)
				out.Sockets = append(out.Sockets, e.Socket)
			}
		case Closed:
			if ok {
				delete(index, e.Socket.ID)
				if gone == nil {
					gone = make([]bool, len(prev.Sockets)+len(events))
				}
				gone[at] = true
			}
		}
	}
	if gone != nil {
		kept := out.Sockets[:0]
		for i, s := range out.Sockets {
			if !gone[i] {
				kept = append(kept, s)
			}
		}
		out.Sockets = kept
	}
	return out
}
