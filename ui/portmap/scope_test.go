package portmap

import (
	"strings"
	"testing"
)

// TestScopeOnCursorLine: the map says which namespace it shows on the
// cursor line, which every height keeps, escaped; "" adds nothing.
func TestScopeOnCursorLine(t *testing.T) {
	snap, events := scripted()
	m := New(plainStyles(), linuxEphemeral).Observe(snap, events, scriptNow)
	if v := viewAt(m, 120, 40); strings.Contains(v, "netns") {
		t.Fatalf("no scope, yet the map names one:\n%s", v)
	}
	m = m.SetScope("netns \x1b]2;x\x07blue")
	for _, h := range []int{40, 3, 2} {
		v := viewAt(m, 120, h)
		if strings.ContainsAny(v, "\x1b\x07") {
			t.Errorf("height %d: the scope reached the map raw: %q", h, v)
		}
		if !strings.Contains(v, `netns \x1b]2;x\ablue: ports `) {
			t.Errorf("height %d: the cursor line does not start with the scope:\n%s", h, v)
		}
		checkFits(t, v, 120, h)
	}
}
