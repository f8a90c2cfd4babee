package sockettable

import (
	"sync"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// TestPreparedBatchesShowWhatObserveShows: a table that takes batches
// whose rows, lingering closed rows merged in, were made by PrepareBatch
// (from the settings the table had, as the live view tells its preparer)
// draws, step after step, the very screen of a table that takes each batch
// whole, through sort keys, cursor moves and lingering rows expiring.
func TestPreparedBatchesShowWhatObserveShows(t *testing.T) {
	for seed := range uint64(6) {
		now := t0
		c := newChurnScript(seed, 14, 300, now)
		rng := c.rng
		whole, lazy := newTable(100, 12), newTable(100, 12)
		var prep Preparer
		socks := c.socks
		whole.Observe(socks, nil, now)
		lazy.ObservePrepared(prep.PrepareBatch(socks, nil, now, lazy.Settings()), socks, nil, now)
		for step := range 80 {
			sameKey(rng, &whole, &lazy)
			if rng.IntN(2) == 0 {
				now = now.Add(time.Second)
				var evs []sampler.Event
				socks, evs = c.step(now)
				whole.Observe(socks, evs, now)
				lazy.ObservePrepared(prep.PrepareBatch(socks, evs, now, lazy.Settings()), socks, evs, now)
			}
			if rng.IntN(3) == 0 {
				now = now.Add(DefaultGoneFor / 3)
				whole.Expire(now)
				lazy.Expire(now)
			}
			if w, l := whole.view(now, true), lazy.view(now, true); w != l || whole.Len() != lazy.Len() {
				t.Fatalf("seed %d step %d (%v): %d rows, want %d; screen\n%s\nwant\n%s", seed, step, lazy.Sort(), lazy.Len(), whole.Len(), l, w)
			}
			ws, _ := whole.Selected()
			ls, _ := lazy.Selected()
			if ws.ID != ls.ID {
				t.Fatalf("seed %d step %d: selected %v, want %v", seed, step, ls.ID, ws.ID)
			}
		}
	}
}

// TestPreparerReadsWhatTheTableNeverWrites: the preparer reads the
// table's lingering sockets and its rows from another goroutine while the
// table takes batches, expires rows and re-sorts; under -race any write to
// what it reads is caught.
func TestPreparerReadsWhatTheTableNeverWrites(t *testing.T) {
	now := t0
	c := newChurnScript(5, 5, 200, now)
	m := newTable(100, 12)
	var prep Preparer
	m.ObservePrepared(prep.PrepareBatch(c.socks, nil, now, m.Settings()), c.socks, nil, now)
	for i := range 30 {
		now = now.Add(time.Second)
		socks, evs := c.step(now)
		set := m.Settings()
		var wg sync.WaitGroup
		var p *Prepared
		wg.Add(1)
		go func() {
			defer wg.Done()
			p = prep.PrepareBatch(socks, evs, now, set)
		}()
		// Meanwhile the UI goroutine goes on with the table it shows.
		m.Expire(now.Add(DefaultGoneFor))
		if i%3 == 2 { // a new order now and then: the preparer reads the rows in the old one
			m.SetSort(m.Sort().Next())
		}
		wg.Wait()
		m.ObservePrepared(p, socks, evs, now)
		if m.Len() == 0 {
			t.Fatal("no rows")
		}
	}
}

// TestBigTableLeavesExpiredRowsToTheNextBatch: on a table of more than
// cutAtOnce rows made by a Preparer, a lingering row whose time is up is
// not cut on the display clock (that copies the whole table, every tick
// under churn): the next batch's rows leave it out; with no batch, it goes
// once cutOverdue late.
func TestBigTableLeavesExpiredRowsToTheNextBatch(t *testing.T) {
	now := t0
	c := newChurnScript(7, 14, cutAtOnce+500, now)
	m := newTable(100, 12)
	var prep Preparer
	m.ObservePrepared(prep.PrepareBatch(c.socks, nil, now, m.Settings()), c.socks, nil, now)
	closed := c.socks[:3]
	socks := append([]sampler.Socket(nil), c.socks[3:]...)
	var evs []sampler.Event
	for _, s := range closed {
		evs = append(evs, sampler.Event{Kind: sampler.Closed, Time: now, Socket: s, Held: time.Second})
	}
	m.ObservePrepared(prep.PrepareBatch(socks, evs, now, m.Settings()), socks, evs, now)
	if m.Len() != len(c.socks) {
		t.Fatalf("%d rows with 3 lingering, want %d", m.Len(), len(c.socks))
	}
	first := &m.rows[0]

	expired := now.Add(DefaultGoneFor + time.Second)
	m.Expire(expired)
	if m.Len() != len(c.socks) || &m.rows[0] != first {
		t.Errorf("the display clock cut expired rows of a big table (%d rows, copied: %v), want them left to the next batch",
			m.Len(), &m.rows[0] != first)
	}
	// The next batch's rows leave them out.
	next := m
	next.ObservePrepared(prep.PrepareBatch(socks, nil, expired, next.Settings()), socks, nil, expired)
	if next.Len() != len(socks) {
		t.Errorf("the next batch shows %d rows, want %d: the expired lingering rows out", next.Len(), len(socks))
	}
	// With no batch, they go once overdue.
	m.Expire(now.Add(DefaultGoneFor + cutOverdue))
	if m.Len() != len(socks) {
		t.Errorf("%d rows %v after the lingering rows' time, want %d: overdue rows cut", m.Len(), cutOverdue, len(socks))
	}
}
