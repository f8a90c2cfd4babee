package ebpf

import (
	"testing"

	"github.com/porttop/porttop/sampler"
)

// Only a close that hands no timewait socket on is "for good"; a socket
// that connects again after a failed connect is forgotten; each is taken
// once.
func TestClosedSetTellsClosesForGood(t *testing.T) {
	var c closedSet
	take := c.use()
	tr := func(cookie uint64, from, to sampler.State) {
		c.note(&sampler.Transition{Cookie: cookie, From: from, To: to})
	}
	tr(1, sampler.StateLastAck, sampler.StateClose)     // closed last: gone
	tr(2, sampler.StateFinWait2, sampler.StateClose)    // maybe TIME_WAIT
	tr(3, sampler.StateFinWait1, sampler.StateClose)    // maybe TIME_WAIT
	tr(4, sampler.StateClosing, sampler.StateClose)     // maybe TIME_WAIT
	tr(5, sampler.StateEstablished, sampler.StateClose) // reset: gone
	tr(6, sampler.StateSynSent, sampler.StateClose)     // refused: gone...
	tr(6, sampler.StateClose, sampler.StateSynSent)     // ...and connecting again
	tr(0, sampler.StateLastAck, sampler.StateClose)     // no cookie: nothing to say
	tr(7, sampler.StateEstablished, sampler.StateCloseWait)
	want := map[uint64]bool{1: true, 2: false, 3: false, 4: false, 5: true, 6: false, 0: false, 7: false}
	for cookie, gone := range want {
		if got := take(cookie); got != gone {
			t.Errorf("cookie %d: closed for good %v, want %v", cookie, got, gone)
		}
	}
	if c.take(1) || c.take(5) {
		t.Error("a close taken twice")
	}
}

// A set no release watcher takes from (the source makes TCP releases
// itself) remembers nothing.
func TestClosedSetUnusedNotesNothing(t *testing.T) {
	var c closedSet
	for cookie := uint64(1); cookie <= 100; cookie++ {
		c.note(&sampler.Transition{Cookie: cookie, From: sampler.StateLastAck, To: sampler.StateClose})
	}
	if len(c.cookies) != 0 || c.take(1) {
		t.Errorf("%d closes noted with no one to take them", len(c.cookies))
	}
}
