package sampler

import (
	"net/netip"
	"testing"
	"time"
)

// Driven by the real Differ: sockets of the first sample are marked when
// they close (held at least), one handed out later is not, whether it
// closes in the next sample or ten later.
func TestStartMarkMarksClosesOfSocketsOpenAtStart(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tcp := func(local string) Socket {
		return Socket{ID: ID{Proto: TCP, Local: netip.MustParseAddrPort(local),
			Remote: netip.MustParseAddrPort("10.0.0.9:443")}, State: StateTimeWait, UID: -1}
	}
	old, young := tcp("10.0.0.5:35125"), tcp("10.0.0.5:35126")
	var d Differ
	var mark StartMark
	step := func(prev Snapshot, at time.Time, socks ...Socket) (Snapshot, []Event) {
		next := Snapshot{Time: at, Sockets: append([]Socket(nil), socks...)}
		ev := d.Diff(prev, &next)
		b := Batch{Snapshot: next, Events: ev}
		mark.Observe(&b)
		mark.Mark(ev)
		return next, ev
	}
	s1, _ := step(Snapshot{}, t0, old)
	s2, _ := step(s1, t0.Add(time.Second), old, young)
	_, ev := step(s2, t0.Add(1800*time.Millisecond))
	if len(ev) != 2 {
		t.Fatalf("events %+v", ev)
	}
	for _, e := range ev {
		want := e.Socket.Local.Port() == 35125
		if e.Kind != Closed || e.HeldAtLeast != want {
			t.Errorf("close of %v: HeldAtLeast %v, want %v (held %v)", e.Socket.Local, e.HeldAtLeast, want, e.Held)
		}
	}
	if !mark.First().Equal(t0) {
		t.Errorf("first sample at %v, want %v", mark.First(), t0)
	}
}

// Nothing is marked before the first sample, and a socket with no first
// seen time (Held unknown) is not claimed to be held at least anything.
func TestStartMarkNeedsAFirstSample(t *testing.T) {
	var mark StartMark
	ev := []Event{{Kind: Closed, Socket: Socket{Since: time.Unix(1, 0)}}}
	mark.Mark(ev)
	mark.Observe(&Batch{}) // a failed first sample: no time
	mark.Mark(ev)
	if ev[0].HeldAtLeast {
		t.Error("marked before any sample")
	}
	mark.Observe(&Batch{Snapshot: Snapshot{Time: time.Unix(5, 0)}})
	ev = []Event{{Kind: Closed}}
	mark.Mark(ev)
	if ev[0].HeldAtLeast {
		t.Error("a socket with no first-seen time marked")
	}
}
