package caps

import "testing"

func TestEffective(t *testing.T) {
	for _, tc := range []struct {
		status string
		ok     bool
		want   Set
	}{
		{"Name:\tporttop\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n", true, 0x1ffffffffff},
		{"CapEff:\t0000000000001000\n", true, 1 << NetAdmin},
		{"Name:\tporttop\n", false, 0},
		{"CapEff:\tzz\n", false, 0},
	} {
		got, ok := Effective(tc.status)
		if ok != tc.ok || got != tc.want {
			t.Errorf("Effective(%q) = %#x, %v; want %#x, %v", tc.status, got, ok, tc.want, tc.ok)
		}
	}
	s := Set(1<<BPF | 1<<Perfmon)
	if !s.Has(BPF, Perfmon) || s.Has(BPF, SysAdmin) || !s.Has() {
		t.Errorf("Has on %#x", s)
	}
}
