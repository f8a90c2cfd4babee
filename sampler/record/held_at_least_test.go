package record

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// held_at_least is written on a close of a socket open before porttop
// started, and read back; it is left out otherwise, and ignored on any
// other kind of line.
func TestHeldAtLeastRoundTrip(t *testing.T) {
	tw := sock(sampler.TCP, "10.0.0.5:35125", "10.0.0.9:443", sampler.StateTimeWait, 0, "", -1)
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Header{OS: "linux", Ephemeral: linuxRange, Interval: time.Second, Started: t0})
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(1800 * time.Millisecond)
	events := []sampler.Event{
		{Kind: sampler.Closed, Time: at, Socket: tw, Held: 1800 * time.Millisecond, HeldAtLeast: true},
		{Kind: sampler.Closed, Time: at, Socket: tw, Held: 800 * time.Millisecond},
		{Kind: sampler.Opened, Time: at, Socket: tw, HeldAtLeast: true}, // meaningless on an open
	}
	if err := w.Write(events); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if !strings.HasSuffix(lines[1], `"held_ms":1800,"held_at_least":true}`) ||
		strings.Contains(lines[2], "held_at_least") || strings.Contains(lines[3], "held_at_least") {
		t.Errorf("lines:\n%s", buf.String())
	}
	r, err := NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false, false} {
		e, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e.HeldAtLeast != want {
			t.Errorf("event %d read back HeldAtLeast %v, want %v", i, e.HeldAtLeast, want)
		}
	}
}
