package explain

import (
	"strings"
	"testing"
)

// A recording that names no ephemeral range still names its source ("the
// recording"): the range is unknown all the same, not "port 0".
func TestUnknownRangeFromARecording(t *testing.T) {
	out := render(rangeParas(Input{EphemeralSource: "the recording"}), 80)
	if !strings.Contains(out, "Ephemeral range: unknown") {
		t.Errorf("explain of an unknown range from a recording:\n%s", out)
	}
}
