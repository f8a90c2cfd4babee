package ebpf

import (
	"net/netip"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// TestHandoversCompleteTheRelease: a script of timewait records and CLOSE
// transitions, as the reader reads them, and the releases they make.
func TestHandoversCompleteTheRelease(t *testing.T) {
	t0 := time.Unix(1000, 0)
	a := netip.MustParseAddrPort("127.0.0.1:40000")
	b := netip.MustParseAddrPort("127.0.0.1:8080")
	c := netip.MustParseAddrPort("127.0.0.1:40001")
	closing := func(from sampler.State, local netip.AddrPort, at time.Time) sampler.Transition {
		return sampler.Transition{At: at, Proto: sampler.TCP, Local: local, Remote: b, From: from, To: sampler.StateClose, Cookie: 7, NetNS: 9}
	}
	h := handovers{hz: 250}
	steps := []struct {
		name    string
		record  *TimeWait
		tr      sampler.Transition
		want    sampler.State
		cookie  uint64
		endsIn  time.Duration // 0: no TimeWaitEnds
		livesOn bool
	}{
		{"handed to TIME_WAIT", &TimeWait{At: t0, Cookie: 7, State: sampler.StateTimeWait, Timeo: 60 * 250, NetNS: 9, Local: a, Remote: b},
			closing(sampler.StateFinWait2, a, t0.Add(time.Microsecond)), sampler.StateTimeWait, 7, 60 * time.Second, true},
		{"the record is taken once", nil, closing(sampler.StateFinWait2, a, t0.Add(time.Millisecond)), sampler.StateClose, 7, 0, false},
		{"handed to FIN_WAIT2 under the timewait socket's cookie", &TimeWait{At: t0, Cookie: 8, State: sampler.StateFinWait2, Timeo: 250, NetNS: 9, Local: a, Remote: b},
			closing(sampler.StateFinWait1, a, t0), sampler.StateFinWait2, 8, 0, true},
		{"another namespace's record is not this one's", &TimeWait{At: t0, Cookie: 7, State: sampler.StateTimeWait, NetNS: 10, Local: a, Remote: b},
			closing(sampler.StateClosing, a, t0), sampler.StateClose, 7, 0, false},
		{"a re-armed timer's record long before is no hand-over", &TimeWait{At: t0, Cookie: 7, State: sampler.StateTimeWait, NetNS: 9, Local: c, Remote: b},
			closing(sampler.StateFinWait2, c, t0.Add(2*time.Second)), sampler.StateClose, 7, 0, false},
		{"from LAST_ACK nothing is handed over", &TimeWait{At: t0, Cookie: 7, State: sampler.StateTimeWait, NetNS: 9, Local: a, Remote: b},
			closing(sampler.StateLastAck, a, t0), sampler.StateClose, 7, 0, false},
	}
	for _, st := range steps {
		if st.record != nil {
			h.note(*st.record)
		}
		rel := sampler.Release{At: st.tr.At, Socket: sampler.Socket{State: sampler.StateTimeWait, Owner: sampler.Owner{PID: 5, UID: -1}}}
		lives := h.release(&st.tr, &rel)
		if lives != st.livesOn || rel.Socket.State != st.want || rel.Socket.Cookie != st.cookie {
			t.Errorf("%s: lives on %v in %v, cookie %d; want %v in %v, cookie %d", st.name, lives, rel.Socket.State, rel.Socket.Cookie, st.livesOn, st.want, st.cookie)
		}
		if rel.Socket.Netns != 9 {
			t.Errorf("%s: netns %d, want the transition's 9", st.name, rel.Socket.Netns)
		}
		switch ends := rel.Socket.TimeWaitEnds; {
		case st.endsIn == 0 && !ends.IsZero():
			t.Errorf("%s: TIME_WAIT ends at %v, want none", st.name, ends.Time())
		case st.endsIn != 0 && !ends.Time().Equal(st.record.At.Add(st.endsIn)):
			t.Errorf("%s: TIME_WAIT ends at %v, want %v", st.name, ends.Time(), st.record.At.Add(st.endsIn))
		}
		if rel.Socket.State == sampler.StateTimeWait && !rel.Socket.Owner.Gone {
			t.Errorf("%s: a TIME_WAIT socket's opener still holds it", st.name)
		}
	}
}

// TestHandoversAreBounded: records no CLOSE ever takes are let go.
func TestHandoversAreBounded(t *testing.T) {
	var h handovers
	for i := 0; i < 3*maxHandovers; i++ {
		h.note(TimeWait{Local: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(i)), State: sampler.StateTimeWait})
	}
	if len(h.byAddr) > maxHandovers {
		t.Errorf("%d records kept, want at most %d", len(h.byAddr), maxHandovers)
	}
}

// TestHandoversTellAFinWait2TimewaitSocketTurningTimeWait: the timer of a
// FIN_WAIT2 timewait socket armed again in TIME_WAIT (its peer's FIN came)
// is a release in TIME_WAIT of that socket, once; another socket's record
// on the same addresses (another cookie) is not.
func TestHandoversTellAFinWait2TimewaitSocketTurningTimeWait(t *testing.T) {
	t0 := time.Unix(1000, 0)
	a := netip.MustParseAddrPort("127.0.0.1:40000")
	b := netip.MustParseAddrPort("127.0.0.1:8080")
	h := handovers{hz: 100}
	if _, ok := h.note(TimeWait{At: t0, Cookie: 7, State: sampler.StateFinWait2, Timeo: 6000, NetNS: 9, Local: a, Remote: b}); ok {
		t.Fatal("a hand-over record made a release of its own")
	}
	tr := sampler.Transition{At: t0, Proto: sampler.TCP, Local: a, Remote: b, From: sampler.StateFinWait1, To: sampler.StateClose, Cookie: 7, NetNS: 9}
	var rel sampler.Release
	if !h.release(&tr, &rel) || rel.Socket.State != sampler.StateFinWait2 {
		t.Fatalf("released in %v, want FIN_WAIT2", rel.Socket.State)
	}
	if _, ok := h.note(TimeWait{At: t0.Add(time.Second), Cookie: 8, State: sampler.StateTimeWait, Timeo: 6000, NetNS: 9, Local: a, Remote: b}); ok {
		t.Error("another socket's record on the same addresses turned this one TIME_WAIT")
	}
	at := t0.Add(2 * time.Second)
	got, ok := h.note(TimeWait{At: at, Cookie: 7, State: sampler.StateTimeWait, Timeo: 6000, NetNS: 9, Local: a, Remote: b})
	if !ok || got.Socket.State != sampler.StateTimeWait || got.Socket.Cookie != 7 || !got.At.Equal(at) ||
		got.Socket.Local != a || got.Socket.Remote != b || got.Socket.Netns != 9 || !got.Socket.TimeWaitEnds.Time().Equal(at.Add(60*time.Second)) {
		t.Fatalf("re-armed in TIME_WAIT: release %+v (%v), want TIME_WAIT of cookie 7 ending 60 s on", got, ok)
	}
	if _, ok := h.note(TimeWait{At: at.Add(time.Second), Cookie: 7, State: sampler.StateTimeWait, Timeo: 6000, NetNS: 9, Local: a, Remote: b}); ok {
		t.Error("a retransmitted FIN's re-armed timer made a second release")
	}
}

// A FIN_WAIT2 timewait socket's timer re-armed within its wheel bucket
// makes no record: the peer's LAST_ACK -> CLOSE on this machine, in the
// same namespace, is then what tells it turned TIME_WAIT, once.
func TestHandoversTellTimeWaitByThePeersClose(t *testing.T) {
	t0 := time.Unix(1000, 0)
	a := netip.MustParseAddrPort("127.0.0.1:40000")
	b := netip.MustParseAddrPort("127.0.0.1:8080")
	h := handovers{hz: 100}
	h.note(TimeWait{At: t0, Cookie: 7, State: sampler.StateFinWait2, Timeo: 6000, NetNS: 9, Local: a, Remote: b})
	var rel sampler.Release
	tr := sampler.Transition{At: t0, Proto: sampler.TCP, Local: a, Remote: b, From: sampler.StateFinWait1, To: sampler.StateClose, Cookie: 7, NetNS: 9}
	if !h.release(&tr, &rel) || rel.Socket.State != sampler.StateFinWait2 {
		t.Fatalf("released in %v, want FIN_WAIT2", rel.Socket.State)
	}
	at := t0.Add(3 * time.Second)
	peer := func(netns uint32, from sampler.State) sampler.Transition {
		return sampler.Transition{At: at, Proto: sampler.TCP, Local: b, Remote: a, From: from, To: sampler.StateClose, Cookie: 5, NetNS: netns}
	}
	for _, other := range []sampler.Transition{peer(10, sampler.StateLastAck), peer(9, sampler.StateCloseWait)} {
		if got, ok := h.peerClosed(&other); ok {
			t.Errorf("%v -> CLOSE in namespace %d turned it TIME_WAIT: %+v", other.From, other.NetNS, got)
		}
	}
	closing := peer(9, sampler.StateLastAck)
	got, ok := h.peerClosed(&closing)
	if !ok || got.Socket.State != sampler.StateTimeWait || got.Socket.Cookie != 7 || !got.At.Equal(at) ||
		got.Socket.Local != a || got.Socket.Remote != b || got.Socket.Netns != 9 || !got.Socket.TimeWaitEnds.Time().Equal(at.Add(60*time.Second)) {
		t.Fatalf("peer's close: release %+v (%v), want TIME_WAIT of cookie 7 ending 60 s on", got, ok)
	}
	if _, ok := h.peerClosed(&closing); ok {
		t.Error("the peer's close counted twice")
	}
	if _, ok := h.note(TimeWait{At: at, Cookie: 7, State: sampler.StateTimeWait, Timeo: 6000, NetNS: 9, Local: a, Remote: b}); ok {
		t.Error("a record after the peer's close made a second release")
	}
}
