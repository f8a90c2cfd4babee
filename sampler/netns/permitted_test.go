package netns

import "testing"

func TestCapsPermit(t *testing.T) {
	for _, tc := range []struct {
		status string
		want   bool
	}{
		{"Name:\tporttop\nCapEff:\t000001ffffffffff\n", true}, // root
		{"CapEff:\t0000000000201000\n", true},                 // CAP_SYS_ADMIN + CAP_NET_ADMIN
		{"CapEff:\t0000000000200000\n", false},                // CAP_SYS_ADMIN alone
		{"CapEff:\t0000000000001000\n", false},                // CAP_NET_ADMIN alone
		{"CapEff:\t0000000000000000\n", false},                // nobody
		{"CapEff:\tnot hex\n", false},                         // garbled
		{"Name:\tporttop\n", false},                           // no line
	} {
		if got := capsPermit(tc.status); got != tc.want {
			t.Errorf("capsPermit(%q) = %v, want %v", tc.status, got, tc.want)
		}
	}
}
