package portmap

import (
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

func TestObserveCountsAndFlashes(t *testing.T) {
	snap, events := scripted()
	m := New(plainStyles(), linuxEphemeral).Observe(snap, events, scriptNow)

	wantInUse := 6 + 3000 + (60999-36000+96)/97
	if got := m.c.inUse.count(0, portCount); got != wantInUse {
		t.Errorf("ports in use = %d; want %d", got, wantInUse)
	}
	for _, tt := range []struct {
		port uint16
		want bool
	}{
		{35700, true}, {35709, true}, // handed out 0.5 s ago
		{22, false},    // Existing: there before porttop
		{50000, false}, // 3 s ago
		{35710, false}, // never
	} {
		if got := m.c.flashing(tt.port); got != tt.want {
			t.Errorf("flashing(%d) = %v; want %v", tt.port, got, tt.want)
		}
	}
	if len(m.c.recent) != 10 {
		t.Errorf("recent hand-outs = %d; want 10", len(m.c.recent))
	}

	// Two seconds on, with an empty snapshot: nothing in use, nothing flashes,
	// and the recent list has been emptied rather than growing.
	m = m.Observe(sampler.Snapshot{}, nil, scriptNow.Add(2*time.Second))
	if got := m.c.inUse.count(0, portCount); got != 0 {
		t.Errorf("after an empty snapshot, ports in use = %d; want 0", got)
	}
	if m.c.flashing(35700) || len(m.c.recent) != 0 || m.c.recentSet.count(0, portCount) != 0 {
		t.Errorf("after 2 s: flashing %v, recent %d; want false, 0", m.c.flashing(35700), len(m.c.recent))
	}
}

func TestObserveRepeatedHandOutListedOnce(t *testing.T) {
	m := New(plainStyles(), linuxEphemeral)
	s := sock(sampler.TCP, "127.0.0.1:40000", "127.0.0.1:80", sampler.StateEstablished)
	for i := 0; i < 5; i++ {
		now := scriptNow.Add(time.Duration(i) * 300 * time.Millisecond)
		m = m.Observe(sampler.Snapshot{}, []sampler.Event{opened(s, now, false)}, now)
	}
	if len(m.c.recent) != 1 {
		t.Errorf("a port handed out 5 times is listed %d times; want once", len(m.c.recent))
	}
}

func TestZeroModelDoesNotPanic(t *testing.T) {
	var m Model
	if got := viewAt(m, 60, 20); got == "" {
		t.Error("zero Model View is empty; want a drawn, empty map")
	}
	m = m.Observe(sampler.Snapshot{}, nil, scriptNow)
	if r := m.Selected(); r.Lo != 0 {
		t.Errorf("zero Model Selected = %v; want the block at port 0", r)
	}
	if got := viewAt(m, 0, 5); got != "" {
		t.Errorf("View(0, 5) = %q; want empty", got)
	}
}

func TestFlashAfterClockJumpsBack(t *testing.T) {
	s := sock(sampler.TCP, "127.0.0.1:40000", "127.0.0.1:80", sampler.StateEstablished)
	later := scriptNow.Add(time.Hour)
	m := New(plainStyles(), linuxEphemeral).Observe(sampler.Snapshot{}, []sampler.Event{opened(s, later, false)}, later)
	// A replay restarts an hour earlier: the old stamp must not flash...
	m = m.Observe(sampler.Snapshot{}, nil, scriptNow)
	if m.c.flashing(40000) {
		t.Error("a hand-out stamped an hour after now flashes")
	}
	// ...and a new hand-out of the same port must.
	m = m.Observe(sampler.Snapshot{}, []sampler.Event{opened(s, scriptNow, false)}, scriptNow)
	if !m.c.flashing(40000) {
		t.Error("a hand-out after the clock went back does not flash")
	}
}
