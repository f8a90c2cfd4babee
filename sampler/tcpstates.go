package sampler

// TCP's state machine, as RFC 9293 draws it (section 3.3.2) with Linux's
// names and its NEW_SYN_RECV (a request socket: the server's half of a
// handshake before the child socket exists). CLOSE is both where a socket
// starts (bound, or a connect() that failed) and where it ends; only a
// socket that starts there leaves it (connect() or listen() again).
var tcpNext = [stateCount]StateMask{
	StateClose:       MaskOf(StateSynSent, StateListen),
	StateListen:      MaskOf(StateSynRecv, StateSynSent, StateClose),
	StateSynSent:     MaskOf(StateSynRecv, StateEstablished, StateClose),
	StateSynRecv:     MaskOf(StateEstablished, StateFinWait1, StateListen, StateClose),
	StateNewSynRecv:  MaskOf(StateSynRecv, StateEstablished, StateClose),
	StateEstablished: MaskOf(StateFinWait1, StateCloseWait, StateClose),
	StateFinWait1:    MaskOf(StateFinWait2, StateClosing, StateTimeWait, StateClose), // FIN and ACK together: straight to TIME_WAIT
	StateFinWait2:    MaskOf(StateTimeWait, StateClose),
	StateClosing:     MaskOf(StateTimeWait, StateClose),
	StateCloseWait:   MaskOf(StateLastAck, StateClose),
	StateLastAck:     MaskOf(StateClose),
	StateTimeWait:    MaskOf(StateClose),
}

// tcpReach[s] is every state a TCP socket in s can be seen in later, through
// states no sample saw (a sample every 100 ms misses FIN_WAIT1 on
// loopback), without passing through CLOSE: a socket that reached CLOSE
// from anywhere but its start is gone.
var tcpReach = func() [stateCount]StateMask {
	var reach [stateCount]StateMask
	for s := range State(stateCount) {
		seen := tcpNext[s]
		for changed := true; changed; {
			changed = false
			for t := range State(stateCount) {
				if t == StateClose || !seen.Has(t) {
					continue
				}
				if more := seen | tcpNext[t]; more != seen {
					seen, changed = more, true
				}
			}
		}
		reach[s] = seen
	}
	return reach
}()

// TCPCanReach reports whether a TCP socket seen in state from can next be
// seen in state to, some states between them unseen: whether a stream may
// say "from -> to" for one socket without contradicting TCP (RFC 9293, and
// Linux's NEW_SYN_RECV). Staying in a state is no transition (false), nor
// is any move out of TIME_WAIT but its end, CLOSE. A state outside TCP's
// (StateNone) reaches nothing and is reached from nowhere.
func TCPCanReach(from, to State) bool {
	if from >= stateCount || to >= stateCount {
		return false
	}
	return tcpReach[from].Has(to)
}
