package poll

import (
	"context"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// A new connection that takes over a TIME_WAIT socket's addresses (loopback
// reuses them) is reported after the old socket's close, not before it: a
// reader following sockets by addresses must not see the new one closed.
// The next sample, without the old socket, closes nothing again.
func TestNewSocketOnATimeWaitPairClosesTheOldOneFirst(t *testing.T) {
	const (
		oldTW   = "tcp 127.0.0.1:8080 127.0.0.1:40001 TIME_WAIT #1"
		other   = "tcp 127.0.0.1:8080 127.0.0.1:40002 TIME_WAIT #2"
		newOne  = "tcp 127.0.0.1:8080 127.0.0.1:40001 TIME_WAIT #9"
		otherTW = "tcp 127.0.0.1:8080 127.0.0.1:40003 TIME_WAIT #3"
	)
	runScript(t,
		sample{0, []string{oldTW, other}},
		want{"open 127.0.0.1:8080 #1 existing", "open 127.0.0.1:8080 #2 existing"},
		release{1, newOne},
		release{1, otherTW}, // on no one's addresses
		// The old socket's close (1), then the opens of 9 and 3.
		want{"close 127.0.0.1:8080 #1", "open 127.0.0.1:8080 #9 seen-at-end", "open 127.0.0.1:8080 #3 seen-at-end"},
		sample{2, []string{newOne, other, otherTW}},
		want{}, // the old socket is already closed, the new one open
	)
}

// The old TIME_WAIT socket may itself be known only from a release (it
// lived and reached TIME_WAIT between samples): a new connection on its
// addresses still comes after its close.
func TestReuseOfATimeWaitSocketKnownFromARelease(t *testing.T) {
	const (
		oldTW  = "tcp 127.0.0.1:40001 127.0.0.1:8080 TIME_WAIT #1"
		newOne = "tcp 127.0.0.1:40001 127.0.0.1:8080 TIME_WAIT #9"
		other  = "tcp 127.0.0.1:40002 127.0.0.1:8080 ESTABLISHED #2"
	)
	ctx := context.Background()
	p, _ := newTestPoller(t, Config{},
		ok(snap(t, at(0), other)),
		ok(snap(t, at(3), other, newOne)),
	)
	p.sample(ctx)
	take(t, p)
	p.handleReleases(sampler.Release{Socket: sock(t, oldTW), At: at(1)}, nil)  // old: opened, reached TIME_WAIT between samples
	p.handleReleases(sampler.Release{Socket: sock(t, newOne), At: at(2)}, nil) // new one takes its addresses (tw reuse)
	b := take(t, p)
	p.sample(ctx)
	b2 := take(t, p)
	all := append(append([]sampler.Event(nil), b.Events...), b2.Events...)
	var seq []string
	openNew, closeOld := -1, -1
	for i, e := range all {
		seq = append(seq, kinds([]sampler.Event{e})[0]+" #"+string(rune('0'+e.Socket.Cookie)))
		if e.Kind == sampler.Opened && e.Socket.Cookie == 9 {
			openNew = i
		}
		if e.Kind == sampler.Closed && e.Socket.Cookie == 1 {
			closeOld = i
		}
	}
	t.Logf("stream: %q", seq)
	if closeOld < 0 || openNew < 0 || closeOld > openNew {
		t.Errorf("old socket #1's close at %d, new socket #9's open at %d: the new connection on the same addresses is reported before the old one's close", closeOld, openNew)
	}
}
