package sampler

import "testing"

// Transitions a stream may show for one TCP socket, unseen states allowed,
// and ones it never may: the teacher's lesson is the state diagram.
func TestTCPCanReach(t *testing.T) {
	for _, c := range []struct {
		from, to State
		ok       bool
	}{
		// RFC 9293's edges.
		{StateClose, StateSynSent, true},
		{StateClose, StateListen, true},
		{StateSynSent, StateEstablished, true},
		{StateListen, StateSynRecv, true},
		{StateSynRecv, StateEstablished, true},
		{StateEstablished, StateFinWait1, true},
		{StateEstablished, StateCloseWait, true},
		{StateFinWait1, StateFinWait2, true},
		{StateFinWait1, StateClosing, true},
		{StateFinWait2, StateTimeWait, true},
		{StateClosing, StateTimeWait, true},
		{StateCloseWait, StateLastAck, true},
		{StateLastAck, StateClose, true},
		{StateTimeWait, StateClose, true},
		{StateNewSynRecv, StateEstablished, true},
		// Through states a sample did not see.
		{StateEstablished, StateFinWait2, true}, // FIN_WAIT1 unseen
		{StateEstablished, StateTimeWait, true}, // FIN_WAIT1 (and FIN_WAIT2) unseen
		{StateSynSent, StateCloseWait, true},    // a peer that closed at once
		{StateEstablished, StateLastAck, true},  // CLOSE_WAIT unseen
		{StateFinWait1, StateTimeWait, true},    // FIN with the ACK of ours
		{StateClose, StateEstablished, true},    // a bound socket connecting
		{StateSynRecv, StateTimeWait, true},     // accepted, then closed first
		{StateNewSynRecv, StateCloseWait, true}, // accepted, peer closed
		{StateEstablished, StateClose, true},    // reset
		{StateListen, StateEstablished, true},   // RFC 9293: the listening TCB takes the SYN (Linux makes a child)
		// Never.
		{StateTimeWait, StateFinWait2, false}, // issue 10 item 4: a FIN_WAIT2 orphan read as TIME_WAIT
		{StateTimeWait, StateEstablished, false},
		{StateTimeWait, StateTimeWait, false},
		{StateFinWait2, StateFinWait1, false},
		{StateFinWait2, StateCloseWait, false},
		{StateCloseWait, StateTimeWait, false}, // the passive closer never waits
		{StateLastAck, StateTimeWait, false},
		{StateCloseWait, StateFinWait2, false},
		{StateEstablished, StateSynSent, false},
		{StateEstablished, StateListen, false},
		{StateFinWait1, StateEstablished, false},
		{StateLastAck, StateEstablished, false}, // not through CLOSE: a closed socket is gone
		{StateTimeWait, StateSynSent, false},
		{StateNone, StateEstablished, false},
		{StateEstablished, StateNone, false},
		{State(200), StateClose, false},
	} {
		if got := TCPCanReach(c.from, c.to); got != c.ok {
			t.Errorf("TCPCanReach(%v, %v) = %v, want %v", c.from, c.to, got, c.ok)
		}
	}
}
