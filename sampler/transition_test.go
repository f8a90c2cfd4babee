package sampler

import "testing"

func TestValidTransitionFollowsTCP(t *testing.T) {
	valid := []struct{ from, to State }{
		{StateClose, StateSynSent}, {StateSynSent, StateEstablished}, {StateEstablished, StateFinWait1},
		{StateFinWait1, StateFinWait2}, {StateFinWait2, StateClose}, {StateEstablished, StateCloseWait},
		{StateCloseWait, StateLastAck}, {StateLastAck, StateClose}, {StateClose, StateListen},
		{StateListen, StateSynRecv}, {StateSynRecv, StateEstablished}, {StateListen, StateClose},
		{StateFinWait1, StateClosing}, {StateClosing, StateClose}, {StateSynSent, StateClose},
	}
	for _, v := range valid {
		if !ValidTransition(v.from, v.to) {
			t.Errorf("%s -> %s should be valid", v.from, v.to)
		}
	}
	invalid := []struct{ from, to State }{
		{StateTimeWait, StateFinWait2}, // what snapshots once made up
		{StateClose, StateEstablished}, {StateListen, StateEstablished}, {StateEstablished, StateSynSent},
		{StateLastAck, StateTimeWait}, {StateNone, StateListen}, {StateNewSynRecv, StateEstablished},
		{StateClose, StateClose},
	}
	for _, v := range invalid {
		if ValidTransition(v.from, v.to) {
			t.Errorf("%s -> %s should be invalid", v.from, v.to)
		}
	}
}
