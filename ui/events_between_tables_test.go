package ui

import (
	"net/netip"
	"reflect"
	"runtime"
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

// TestEventsAloneCostNoTable: at 100k sockets, a batch of events whose
// table is the one taken in last costs its events, not the table's rows,
// counts and digests again (main: every batch made them all, so the view
// took batches at most every 3 s and the poller held 3 s of events).
func TestEventsAloneCostNoTable(t *testing.T) {
	const n = 100_000
	c := &clock{t0}
	m := newTestModel(t, c, 160, 45)
	m = update(m, firstBatch(t0, baseSockets()))
	table := make([]sampler.Socket, n)
	for i := range table {
		table[i] = sock(sampler.TCP, netipPort("127.0.0.1", 1024+i%60000), netipPort("127.0.0.1", 80+i/60000), sampler.StateEstablished, 4000, "load", t0)
		table[i].Cookie = uint64(i + 1)
	}
	at := t0.Add(time.Second)
	c.advance(time.Second)
	m = update(m, nextBatchMsg(at, table))
	events := make([]sampler.Event, 1000)
	for i := range events {
		s := sock(sampler.TCP, netipPort("10.0.0.5", 61000+i%4000), "93.184.216.34:443", sampler.StateSynSent, 4242, "curl", at)
		s.Cookie = uint64(n + i + 1)
		events[i] = sampler.Event{Kind: sampler.Opened, Time: at.Add(time.Duration(i) * time.Millisecond), Socket: s}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m = update(m, nextBatchMsg(at, table, events...))
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("1,000 events beside a table of %d sockets taken in last: %.2f MB allocated", n, float64(allocated)/(1<<20))
	if allocated > 2<<20 {
		t.Errorf("1,000 events beside the table taken in last allocated %.1f MB, want at most 2 (no rows, counts or digests made again)",
			float64(allocated)/(1<<20))
	}
	if v := m.View(); !strings.Contains(v, "+ 61999/tcp curl") {
		t.Errorf("the events are not in the feed:\n%s", v)
	}
}

func netipPort(addr string, port int) string {
	return netip.AddrPortFrom(netip.MustParseAddr(addr), uint16(port)).String()
}

// TestEventsAloneWhilePaused: a close taken between tables while the
// display is paused reaches the feed and the table's lingering rows at
// resume, as a close coming with a table does.
func TestEventsAloneWhilePaused(t *testing.T) {
	c := &clock{t0}
	m := newTestModel(t, c, 120, 30)
	table := append(baseSockets(), curlSocket())
	m = update(m, firstBatch(t0, table), keys(" ")[0])
	closed := sampler.Event{Kind: sampler.Closed, Time: t0.Add(300 * time.Millisecond), Socket: curlSocket(), Held: 300 * time.Millisecond}
	m = update(m, nextBatchMsg(t0, table, closed))
	if v := m.View(); strings.Contains(v, "curl held") {
		t.Fatalf("the paused feed moved on:\n%s", v)
	}
	m = update(m, keys(" ")[0])
	v := m.View()
	if !strings.Contains(v, "- 54112/tcp curl held") || m.table.Len() != len(table) {
		t.Errorf("at resume: want curl's close in the feed and its row lingering (%d rows, want %d):\n%s", m.table.Len(), len(table), v)
	}
	lingers := false
	for _, line := range strings.Split(v, "\n") {
		if strings.Contains(line, "10.0.0.5:54112") && strings.HasPrefix(strings.TrimLeft(line, " "), "-") {
			lingers = true // the closed row's mark
		}
	}
	if !lingers {
		t.Errorf("curl's row does not linger closed after the resume:\n%s", v)
	}
}
