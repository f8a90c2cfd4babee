package sockdiag

import (
	"os"
	"testing"
)

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

// Root (CI) holds every capability; an ordinary user none of these.
func TestMayInspectAllMatchesThisProcess(t *testing.T) {
	if os.Geteuid() == 0 && !mayInspectAll() {
		t.Skip("root without CAP_SYS_PTRACE/CAP_DAC_READ_SEARCH (a restricted container)")
	}
	if os.Geteuid() != 0 && mayInspectAll() {
		t.Skip("this user was granted both capabilities")
	}
	if got, want := mayInspectAll(), os.Geteuid() == 0; got != want {
		t.Errorf("mayInspectAll() = %v for euid %d", got, os.Geteuid())
	}
}
