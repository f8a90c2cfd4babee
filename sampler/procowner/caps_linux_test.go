package procowner

import (
	"os"
	"testing"
)

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
