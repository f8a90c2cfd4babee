package sampler

import "testing"

func TestParseState(t *testing.T) {
	cases := []struct {
		in   string
		want State
		ok   bool
	}{
		{"TIME_WAIT", StateTimeWait, true},
		{"time-wait", StateTimeWait, true},
		{"timewait", StateTimeWait, true},
		{"Established", StateEstablished, true},
		{"listen", StateListen, true},
		{"SYN_RECV", StateSynRecv, true},
		{"new-syn-recv", StateNewSynRecv, true},
		{"NONE", StateNone, true},
		{"", StateNone, true},
		{"time", 0, false},
		{"time_waits", 0, false},
		{"_", 0, false},
		{"LISTENING", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseState(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseState(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	for s := State(1); s < stateCount; s++ {
		if got, ok := ParseState(s.String()); !ok || got != s {
			t.Errorf("ParseState(%q) = %v, %v; want it back", s.String(), got, ok)
		}
	}
}

func TestStateMask(t *testing.T) {
	m := MaskOf(StateListen, StateTimeWait)
	if !m.Has(StateListen) || !m.Has(StateTimeWait) || m.Has(StateEstablished) {
		t.Errorf("MaskOf(listen, time-wait) = %b", m)
	}
	for s := State(0); s < stateCount; s++ {
		if !AllStates.Has(s) {
			t.Errorf("AllStates lacks %v", s)
		}
	}
}

func BenchmarkParseState(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ParseState("time-wait")
	}
}
