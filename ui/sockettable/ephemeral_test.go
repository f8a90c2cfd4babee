package sockettable

import (
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// TestUnknownRangeMarksNothing: with the range unknown (the zero Range), a
// socket on port 0 is not marked as in it.
func TestUnknownRangeMarksNothing(t *testing.T) {
	for _, tc := range []struct {
		eph  ports.Range
		want bool
	}{{ports.Range{}, false}, {ports.Range{Lo: 0, Hi: 10}, true}} {
		m := New(Options{Styles: asciiStyles(), Ephemeral: tc.eph})
		m.SetSize(100, 5)
		m.Observe([]sampler.Socket{mk(sampler.UDP, "0.0.0.0:0", "", sampler.StateNone, 0, "", 0)}, nil, t0)
		row := strings.Split(viewAt(m, t0, false), "\n")[1]
		if got := strings.HasPrefix(row, "  "+EphemeralGlyph); got != tc.want {
			t.Errorf("range %+v: row %q marked ephemeral %v, want %v", tc.eph, row, got, tc.want)
		}
	}
}
