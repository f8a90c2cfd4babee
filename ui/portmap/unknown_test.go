package portmap

import (
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler/ports"
)

// TestUnknownRangeMarksNothing: a recording without an ephemeral range
// arrives as the zero Range; the map must call it unknown, not "port 0".
func TestUnknownRangeMarksNothing(t *testing.T) {
	snap, events := scripted()
	m := New(plainStyles(), ports.Range{}).Observe(snap, events, scriptNow)
	out := viewAt(m, 120, 40)
	checkFits(t, out, 120, 40)
	if !strings.Contains(out, "OS ephemeral range unknown") {
		t.Errorf("legend does not say the range is unknown:\n%s", out)
	}
	for _, bad := range []string{"OS ephemeral 0", "partly OS ephemeral", "[=] OS ephemeral"} {
		if strings.Contains(out, bad) {
			t.Errorf("view says %q for an unknown range:\n%s", bad, out)
		}
	}
}
