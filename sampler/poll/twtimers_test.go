package poll

import (
	"math/rand/v2"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// The queue gives its timers back earliest first, however they came: in
// order (push) or all at once (add, heapify), and mixed with pops.
func TestTimeWaitTimersComeOutInOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var q twTimers
	for i := range 500 {
		q.add(twTimer{ends: sampler.Stamp(rng.IntN(1000)), cookie: uint64(i)})
	}
	q.heapify()
	last := sampler.Stamp(-1)
	for i := range 2000 {
		if i%3 == 0 {
			q.push(twTimer{ends: last + sampler.Stamp(rng.IntN(1000)), cookie: uint64(i)})
			continue
		}
		tm, ok := q.next()
		if !ok {
			break
		}
		q.pop()
		if tm.ends < last {
			t.Fatalf("pop %d: %d after %d", i, tm.ends, last)
		}
		last = tm.ends
	}
	for n := len(q.heap); n > 0; n-- {
		tm, _ := q.next()
		q.pop()
		if tm.ends < last {
			t.Fatalf("drain: %d after %d", tm.ends, last)
		}
		last = tm.ends
	}
	if _, ok := q.next(); ok {
		t.Error("a timer left in an empty queue")
	}
}

// TIME_WAIT sockets close at their own timer's end, each once, in order:
// the sample's, one a release put in TIME_WAIT (from FIN_WAIT2, with a
// later timer, before any check), one taken over by a new connection
// before its end (its timer's end then closes nothing), and one a check
// found; one without a cookie, by the scan.
func TestTimeWaitTimersCloseEachAtItsEnd(t *testing.T) {
	tw := func(spec string, ends int) sampler.Socket {
		s := sock(t, spec)
		s.TimeWaitEnds = sampler.StampOf(at(ends))
		return s
	}
	a := tw("tcp 127.0.0.1:40001 127.0.0.1:80 TIME_WAIT #1", 5)
	b := tw("tcp 127.0.0.1:40002 127.0.0.1:80 TIME_WAIT #2", 3)
	c := tw("tcp 127.0.0.1:40003 127.0.0.1:80 TIME_WAIT #3", 4)
	d := tw("tcp 127.0.0.1:40006 127.0.0.1:80 TIME_WAIT", 4) // no cookie
	fw2 := sock(t, "tcp 127.0.0.1:40004 127.0.0.1:80 FIN_WAIT2 #4")
	toTW := tw("tcp 127.0.0.1:40004 127.0.0.1:80 TIME_WAIT #4", 6)
	closedAt := func(want ...int) step {
		return inspect(func(t *testing.T, events []sampler.Event) {
			t.Helper()
			if len(events) != len(want) {
				t.Fatalf("events %q, want closes at %v", lines(events), want)
			}
			for i, e := range events {
				if e.Kind != sampler.Closed || !e.Time.Equal(at(want[i])) {
					t.Errorf("event %d: %s at %v, want a close at %v", i, lines(events[i:i+1]), e.Time, at(want[i]))
				}
			}
		})
	}
	runScript(t,
		sampleOf{snap: sampler.Snapshot{Time: at(0), Sockets: []sampler.Socket{a, b, c, fw2, d}}},
		want{"open 127.0.0.1:40001 #1 existing", "open 127.0.0.1:40002 #2 existing", "open 127.0.0.1:40003 #3 existing", "open 127.0.0.1:40004 #4 existing", "open 127.0.0.1:40006 existing"},
		tick{at: 1},
		releaseOf{at(2), sampler.Release{Socket: toTW, At: at(2)}},
		want{"state 127.0.0.1:40004 #4 FIN_WAIT2->TIME_WAIT"},
		ev{at: 2, cookie: 9, local: "127.0.0.1:40003", remote: "127.0.0.1:80", from: "CLOSE", to: "SYN_SENT"},
		want{"close 127.0.0.1:40003 #3", "open 127.0.0.1:40003 #9"},
		tick{at: 3, changed: true},
		closedAt(3),
		tick{at: 4, changed: true},
		closedAt(4),
		tick{at: 5, changed: true},
		closedAt(5),
		tick{at: 7, changed: true},
		closedAt(6),
		beginCheck{},
		sampleOfCheck{snap: sampler.Snapshot{Time: at(7), Sockets: []sampler.Socket{sock(t, "tcp 127.0.0.1:40003 127.0.0.1:80 SYN_SENT #9"), tw("tcp 127.0.0.1:40005 127.0.0.1:80 TIME_WAIT #5", 9)}}},
		want{"open 127.0.0.1:40005 #5"},
		tick{at: 8},
		closedAt(),
		tick{at: 9, changed: true},
		closedAt(9),
		tick{at: 70},
		closedAt(),
		table("tcp 127.0.0.1:40003 SYN_SENT"),
	)
}
