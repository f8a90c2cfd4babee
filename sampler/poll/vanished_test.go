package poll

import (
	"context"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// A connection reset while its program still holds it leaves the dumps
// (the sample reports it closed) but is released only when the program
// closes it, later than recentGone remembers. That late release is no
// connection that lived and died between samples: no open, no close, and
// nothing counted against the kernel's opens.
func TestLateReleaseOfAVanishedSocketIsNoNewConnection(t *testing.T) {
	reset := sock(t, sockA)
	reset.State = sampler.StateClose
	var reported uint64
	runScript(t,
		sample{0, []string{sockA, sockB}},
		sample{1, []string{sockB}},
		want{"open 127.0.0.1:40001 #1 existing", "open 127.0.0.1:40002 #2 existing", "close 127.0.0.1:40001 #1"},
		sample{30, []string{sockB}}, // long after: recentGone has let it go
		check(func(t *testing.T, r *Reconciler) { reported = r.Audit().ReportedTCP }),
		releaseOf{rel: sampler.Release{Socket: reset, At: at(31)}},
		want{}, // late release of a socket a sample closed: nothing
		check(func(t *testing.T, r *Reconciler) {
			if got := r.Audit().ReportedTCP; got != reported {
				t.Errorf("reported TCP opens went %d -> %d", reported, got)
			}
		}),
		// A socket never seen still counts as one that lived and died.
		release{32, sockC},
		want{"open 127.0.0.1:40003 #3 seen-at-end", "close 127.0.0.1:40003 #3 seen-at-end"},
	)
}

// A socket whose connect() failed is unhashed (a sample reports it closed,
// and vanished remembers its cookie); the program may connect() the same
// socket again, which takes a new port and may live and die between two
// samples. Its release comes with the same cookie but another port: a real
// hand-out, reported and counted.
func TestReconnectOfAVanishedSocketIsANewConnection(t *testing.T) {
	ctx := context.Background()
	const refused = "tcp 127.0.0.1:40001 127.0.0.1:80 SYN_SENT #7"
	p, _ := newTestPoller(t, Config{},
		ok(snap(t, at(0), sockB)),
		ok(snap(t, at(1), sockB, refused)),
		ok(snap(t, at(2), sockB)),  // refused: unhashed, fd still held
		ok(snap(t, at(30), sockB)), // recentGone has let it go
	)
	for range 4 {
		p.sample(ctx)
		take(t, p)
	}
	reported := p.rec.audit.ReportedTCP
	// Same socket (cookie 7) connected again: new port 40009, established, closed.
	again := sock(t, "tcp 127.0.0.1:40009 127.0.0.1:80 CLOSE #7")
	p.handleReleases(sampler.Release{Socket: again, At: at(31)}, nil)
	expired, cancel := context.WithTimeout(ctx, 0)
	defer cancel()
	b, err := p.Next(expired)
	if err != nil || len(b.Events) == 0 {
		t.Errorf("hand-out of 127.0.0.1:40009 (a second connect on the same socket) was swallowed: no events (err %v)", err)
	}
	if p.rec.audit.ReportedTCP == reported {
		t.Errorf("reported TCP opens stayed %d although the kernel counted a second connect", reported)
	}
}

// A socket's release that comes while the reconciler still remembers it
// gone (recentGone, or a transition's adjustment) is the release vanished
// waits for: it forgets the socket then, not ten minutes later. Under
// 2,000 connections a second closed by their peers each close was kept
// for the ttl, up to vanishedLimit (6 MB at 100k sockets).
func TestReleaseSoonAfterAVanishForgetsIt(t *testing.T) {
	reset := sock(t, sockA)
	reset.State = sampler.StateClose
	runScript(t,
		sample{0, []string{sockA, sockB}},
		sample{1, []string{sockB}},
		want{"open 127.0.0.1:40001 #1 existing", "open 127.0.0.1:40002 #2 existing", "close 127.0.0.1:40001 #1"},
		check(func(t *testing.T, r *Reconciler) {
			if len(r.vanished.at) != 1 {
				t.Fatalf("vanished holds %d sockets after a close, want 1", len(r.vanished.at))
			}
		}),
		releaseOf{rel: sampler.Release{Socket: reset, At: at(2)}},
		want{},
		check(func(t *testing.T, r *Reconciler) {
			if n := len(r.vanished.at); n != 0 {
				t.Errorf("vanished holds %d sockets after their release came, want 0", n)
			}
		}),
	)
}

// One socket waiting at the head of vanished's order (its program holds it)
// does not make order keep every close after it that was taken since.
func TestVanishedOrderStaysNearItsLiveEntries(t *testing.T) {
	var v vanished
	now := at(0)
	closed := func(cookie uint64) []sampler.Event {
		s := sock(t, sockA)
		s.Cookie, s.State = cookie, sampler.StateCloseWait
		return []sampler.Event{{Kind: sampler.Closed, Socket: s}}
	}
	v.add(closed(1), now) // held by its program: never released here
	for c := uint64(2); c < 100_000; c++ {
		v.add(closed(c), now)
		r := sock(t, sockA)
		r.Cookie = c
		if !v.take(&r) {
			t.Fatalf("cookie %d: not taken", c)
		}
	}
	v.trim(now)
	if len(v.at) != 1 {
		t.Fatalf("vanished holds %d sockets, want the 1 still waiting", len(v.at))
	}
	if n := len(v.order) - v.head; n > 2*len(v.at)+vanishedSlack {
		t.Errorf("order holds %d entries for %d waiting sockets", n, len(v.at))
	}
	r := sock(t, sockA)
	r.Cookie = 1
	if !v.take(&r) {
		t.Errorf("the socket still waiting was forgotten")
	}
}
