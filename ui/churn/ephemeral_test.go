package churn

import (
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// TestSetEphemeralFollowsRange: the range is narrowed from Linux's default
// to 40000-40100 while 300 ports of the default are held, and then its 101
// ports fill up. The panel says so against the new range (title, gauge,
// warning), and the peak of ports counted in the old range is no share of
// the new one (it would read 297%).
func TestSetEphemeralFollowsRange(t *testing.T) {
	narrow := ports.Range{Lo: 40000, Hi: 40100}
	m := New(plainStyles(), linuxEphemeral, 0.5)
	wide := sampler.Snapshot{Sockets: clients(40000, 300, "10.0.0.5:5432", sampler.StateEstablished)}
	for s := range 3 {
		m = m.Observe(wide, nil, scriptStart.Add(time.Duration(s)*time.Second))
	}
	if w := m.Warnings(); len(w) != 0 {
		t.Fatalf("300 of 28,232 ports warned: %q", w)
	}
	m = m.SetEphemeral(narrow)
	full := sampler.Snapshot{Sockets: clients(40000, 101, "10.0.0.5:5432", sampler.StateEstablished)}
	m = m.Observe(full, nil, scriptStart.Add(3*time.Second))
	v := viewAt(m, 100, 12)
	for _, want := range []string{"OS ephemeral range 40000-40100 (101 ports)", "100% 101/101 in use, peak 100%"} {
		if !strings.Contains(v, want) {
			t.Errorf("panel lacks %q:\n%s", want, v)
		}
	}
	if w := m.Warnings(); len(w) != 1 || !strings.Contains(w[0], "holds all 101 ports of the ephemeral range 40000-40100: the range is full for it") {
		t.Errorf("warnings %q", w)
	}
}

// TestPeakSurvivesRangeChange: the range is narrowed to 40000-40100, fills
// up, and is restored. The SRE reading the panel after the incident still
// sees the peak, said to be of the narrow range it was a share of (it read
// "peak 0%" within 15 s of the restore).
func TestPeakSurvivesRangeChange(t *testing.T) {
	narrow := ports.Range{Lo: 40000, Hi: 40100}
	m := New(plainStyles(), narrow, 0.5)
	full := sampler.Snapshot{Sockets: clients(40000, 101, "10.0.0.5:5432", sampler.StateEstablished)}
	for s := range 3 {
		m = m.Observe(full, nil, scriptStart.Add(time.Duration(s)*time.Second))
	}
	m = m.SetEphemeral(linuxEphemeral)
	few := sampler.Snapshot{Sockets: clients(40000, 3, "10.0.0.5:5432", sampler.StateEstablished)}
	for s := 3; s < 18; s++ {
		m = m.Observe(few, nil, scriptStart.Add(time.Duration(s)*time.Second))
	}
	v := viewAt(m, 120, 12)
	if want := "0% 3/28,232 in use, peak 100% of 40000-40100"; !strings.Contains(v, want) {
		t.Errorf("panel lacks %q:\n%s", want, v)
	}
}
