package ebpf

import "testing"

func TestCapsPermit(t *testing.T) {
	for _, tc := range []struct {
		capEff string
		want   bool
	}{
		{"000001ffffffffff", true},  // root's full set
		{"0000000000200000", true},  // CAP_SYS_ADMIN
		{"000000c000000000", true},  // CAP_BPF + CAP_PERFMON
		{"0000008000000000", false}, // CAP_BPF alone
		{"0000000000000000", false}, // nobody
		{"zz", false},
	} {
		status := "Name:\tporttop\nCapInh:\t0000000000000000\nCapEff:\t" + tc.capEff + "\nCapBnd:\t000001ffffffffff\n"
		if got := capsPermit(status); got != tc.want {
			t.Errorf("CapEff %s: %v, want %v", tc.capEff, got, tc.want)
		}
	}
	if capsPermit("Name:\tx\n") {
		t.Error("no CapEff line permitted")
	}
}
