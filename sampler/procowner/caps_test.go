package procowner

import "testing"

func TestInspectCapsNeedsBoth(t *testing.T) {
	for _, c := range []struct {
		eff  uint32
		want bool
	}{
		{0, false},
		{1 << capSysPtrace, false},
		{1 << capDacReadSearch, false},
		{1<<capSysPtrace | 1<<capDacReadSearch, true},
		{^uint32(0), true},
	} {
		if got := inspectCaps(c.eff); got != c.want {
			t.Errorf("inspectCaps(%#x) = %v, want %v", c.eff, got, c.want)
		}
	}
}
