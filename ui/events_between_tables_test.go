package ui

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// TestEventsBetweenTablesShowAsOneBatch: a paced view takes the events
// between its tables in batches carrying the table it took in last
// (live.Batch.TableKept). Once the next table is in, it shows what it
// shows of those events coming with that table in one batch: the same
// screen (the table's rows, curl's lingering close, the header, the
// feed) and port history. Between, the feed shows the events and the
// table its rows as they were; each batch's snapshot goes back to the
// feed once.
func TestEventsBetweenTablesShowAsOneBatch(t *testing.T) {
	c1, c2 := &clock{t0}, &clock{t0}
	one, kept := newTestModel(t, c1, 120, 30), newTestModel(t, c2, 120, 30)
	recycled := map[*sampler.Socket]int{}
	scriptOf(kept).recycle = func(s sampler.Snapshot) {
		if len(s.Sockets) > 0 {
			recycled[&s.Sockets[0]]++
		}
	}
	one, kept = update(one, firstBatch(t0, baseSockets())), update(kept, firstBatch(t0, baseSockets()))

	at := t0.Add(time.Second)
	table := baseSockets() // the table both take in next, kept by one of them
	c1.advance(time.Second)
	c2.advance(time.Second)
	one, kept = update(one, nextBatchMsg(at, table)), update(kept, nextBatchMsg(at, table))

	curl := curlSocket()
	open := sampler.Event{Kind: sampler.Opened, Time: at.Add(200 * time.Millisecond), Socket: curl}
	closed := sampler.Event{Kind: sampler.Closed, Time: at.Add(700 * time.Millisecond), Socket: curl, Held: 500 * time.Millisecond}
	git := table[3]
	git.State = sampler.StateTimeWait
	changed := sampler.Event{Kind: sampler.StateChanged, Time: at.Add(800 * time.Millisecond), Socket: git, PrevState: table[3].State}
	kept = update(kept, nextBatchMsg(at, table, open))
	if v := kept.View(); !strings.Contains(v, "+ 54112/tcp curl") || strings.Contains(v, "ESTABLISHED  curl") {
		t.Errorf("between tables: want curl's open in the feed and no row for it yet:\n%s", v)
	}
	kept = update(kept, nextBatchMsg(at, table, closed, changed))

	next := baseSockets()
	next[3] = git
	after := at.Add(3 * time.Second)
	c1.advance(3 * time.Second)
	c2.advance(3 * time.Second)
	one = update(one, nextBatchMsg(after, next, open, closed, changed))
	kept = update(kept, nextBatchMsg(after, next))
	if a, b := one.View(), kept.View(); a != b {
		t.Errorf("the events taken between the tables show\n%s\ntaken with the table\n%s", b, a)
	}
	if !reflect.DeepEqual(one.history, kept.history) {
		t.Errorf("the port history differs")
	}
	if v := kept.View(); !strings.Contains(v, "- 54112/tcp curl held") {
		t.Errorf("curl's close not in the feed:\n%s", v)
	}
	if n := recycled[&table[0]]; n != 3 {
		t.Errorf("the table delivered 3 times went back %d times", n)
	}
}
