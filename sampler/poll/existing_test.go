package poll

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// existingScript is a first sample of n sockets (one row repeated, one of
// a socket released before it was read), then releases and a second
// sample changing some of those sockets, for a poller handing the first
// sample's opens out in parts and one handing them out whole.
type existingScript struct {
	first, second sampler.Snapshot
	before        sampler.Socket   // released before the first sample, still in its dump
	after         []sampler.Socket // released after it, one by one
}

func newExistingScript(n int) existingScript {
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	mk := func(i int) sampler.Socket {
		return sampler.Socket{
			ID: sampler.ID{
				Cookie: uint64(i + 1), Proto: sampler.TCP,
				// Ports in the reverse of the rows' order: the opens go
				// out by local port, not in the dump's order.
				Local:  netip.AddrPortFrom(lo, uint16(60000-i%50000)),
				Remote: netip.AddrPortFrom(lo, uint16(80+i/50000)),
			},
			State: sampler.StateEstablished,
			Owner: sampler.Owner{UID: -1},
		}
	}
	var s existingScript
	s.first.Time = t0
	for i := range n {
		s.first.Sockets = append(s.first.Sockets, mk(i))
	}
	s.first.Sockets = append(s.first.Sockets, s.first.Sockets[n/2]) // a row repeated
	s.before = s.first.Sockets[7]
	s.after = []sampler.Socket{s.first.Sockets[1], s.first.Sockets[n-1]}
	s.second.Time = t0.Add(time.Second)
	for i, row := range s.first.Sockets[:n] {
		switch {
		case i == 7 || i == 1 || i == n-1: // released
		case i == 3: // vanished without a release
		case i == 5:
			row.State = sampler.StateCloseWait
			s.second.Sockets = append(s.second.Sockets, row)
		default:
			s.second.Sockets = append(s.second.Sockets, row)
		}
	}
	s.second.Sockets = append(s.second.Sockets, mk(n), mk(n+1)) // opened
	return s
}

// run plays the script on a poller with the given part size, taking
// batches after the steps take says (its length: the steps, 5), then until
// none is left, and returns the batches taken.
func (s existingScript) run(t *testing.T, part int, take [5]bool) []sampler.Batch {
	t.Helper()
	src := &scriptedSource{steps: []scriptStep{{snap: s.first}, {snap: s.second}}}
	p := New(Config{Source: src, ExistingInParts: part, Now: func() time.Time { return t0.Add(2 * time.Second) }})
	ctx := context.Background()
	var got []sampler.Batch
	takeAll := func() {
		for {
			b, ok := p.pending.take()
			if !ok {
				return
			}
			events := b.Events
			b.Events = slices.Clone(events) // written out
			got = append(got, b)
			p.Recycle(b.Snapshot)
			p.RecycleEvents(events) // as watch: written out, handed back
		}
	}
	takeOne := func() {
		if b, ok := p.pending.take(); ok {
			got = append(got, b)
		}
	}
	release := func(sock sampler.Socket, at time.Time) {
		sock.State = sampler.StateClose
		p.handleReleases(sampler.Release{Socket: sock, At: at}, nil)
	}
	steps := []func(){
		// Reported while the first dump ran: the opens go out after it.
		func() { release(s.before, t0.Add(time.Millisecond)) },
		func() { p.sample(ctx) },
		func() { release(s.after[0], t0.Add(100*time.Millisecond)) },
		func() { release(s.after[1], t0.Add(200*time.Millisecond)) },
		func() { p.sample(ctx) },
	}
	for i, step := range steps {
		step()
		if take[i] {
			takeOne()
		}
	}
	takeAll()
	return got
}

// streamed is what a consumer sees of an event.
type streamed struct {
	Kind                sampler.EventKind
	ID                  sampler.ID
	State, PrevState    sampler.State
	Time, Happened      time.Time
	Since               sampler.Stamp
	Held                time.Duration
	Existing, SeenAtEnd bool
}

func stream(batches []sampler.Batch) []streamed {
	var out []streamed
	for _, b := range batches {
		for _, e := range b.Events {
			out = append(out, streamed{e.Kind, e.Socket.ID, e.Socket.State, e.PrevState, e.Time, e.Happened, e.Socket.Since, e.Held, e.Existing, e.SeenAtEnd})
		}
	}
	return out
}

// TestExistingInPartsKeepsTheStream: the first sample's opens handed out in
// parts make the same stream, event for event, as handed out in the first
// batch: each socket opened once, in the diff's order, before any later
// event of it; no batch carries more opens than a part; every batch before
// the last part says more are to come. Taken as watch takes (after every
// step) and as a paced consumer does (once in a while: batches merge).
func TestExistingInPartsKeepsTheStream(t *testing.T) {
	const n, part = 1000, 64
	s := newExistingScript(n)
	for name, take := range map[string][5]bool{
		"watch": {true, true, true, true, true},
		"paced": {false, false, false, true, false},
		"late":  {false, false, false, false, false},
	} {
		t.Run(name, func(t *testing.T) {
			whole := stream(s.run(t, 0, take))
			batches := s.run(t, part, take)
			parts := stream(batches)
			if len(parts) != len(whole) {
				t.Fatalf("%d events in parts, %d whole", len(parts), len(whole))
			}
			for i := range whole {
				if parts[i] != whole[i] {
					t.Fatalf("event %d: in parts %+v, whole %+v", i, parts[i], whole[i])
				}
			}
			existing, opened := 0, map[uint64]bool{}
			for _, e := range parts {
				switch {
				case e.Kind == sampler.Opened:
					if opened[e.ID.Cookie] {
						t.Fatalf("cookie %d opened twice", e.ID.Cookie)
					}
					opened[e.ID.Cookie] = true
					if e.Existing && !e.SeenAtEnd {
						existing++
					}
				case !opened[e.ID.Cookie]:
					t.Fatalf("%v of cookie %d before its open", e.Kind, e.ID.Cookie)
				}
			}
			if want := n - 1; existing != want { // one released before the sample
				t.Errorf("%d existing opens, want %d", existing, want)
			}
			first, last := -1, -1
			for i, b := range batches {
				opens := 0
				for _, e := range b.Events {
					if e.Existing && !e.SeenAtEnd {
						opens++
					}
				}
				if opens > part {
					t.Errorf("batch %d: %d existing opens, more than a part (%d)", i, opens, part)
				}
				if opens > 0 {
					last = i
					if first < 0 {
						first = i
					}
				}
			}
			for i := first; i < last; i++ {
				if !batches[i].ExistingToCome {
					t.Errorf("batch %d of %d says no more opens to come", i, last)
				}
			}
			if batches[last].ExistingToCome {
				t.Errorf("the last part (batch %d) says more opens to come", last)
			}
		})
	}
}

// TestExistingInPartsAllocatesAPart: a first sample of 100k sockets
// handed out in parts makes no event at the sample, and a part at each
// take, in the events handed back: the sample and its first parts taken
// allocate a few MB (the opens' order, a part), not the 24 MB of a batch
// of every socket's open (and the Differ's index of them).
func TestExistingInPartsAllocatesAPart(t *testing.T) {
	const n = 100_000
	table, _ := benchTables(n)
	for _, tc := range []struct {
		part int
		max  uint64
	}{
		{ExistingPart, 3 << 20},
		{0, 0}, // whole: for the log
	} {
		p := New(Config{Source: &alternatingSource{tables: [2]sampler.Snapshot{table, table}}, ExistingInParts: tc.part})
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		p.sample(context.Background())
		opens := 0
		for range 3 {
			b, _ := p.pending.take()
			opens += len(b.Events)
			p.Recycle(b.Snapshot)
			p.RecycleEvents(b.Events)
		}
		runtime.ReadMemStats(&after)
		allocated := after.TotalAlloc - before.TotalAlloc
		t.Logf("part %d: %d opens taken in 3 batches, %.1f MB allocated", tc.part, opens, float64(allocated)/(1<<20))
		if tc.max > 0 && allocated > tc.max {
			t.Errorf("part %d: the first sample and 3 takes allocated %.1f MB, want at most %.1f",
				tc.part, float64(allocated)/(1<<20), float64(tc.max)/(1<<20))
		}
		if tc.part > 0 && opens != 3*tc.part {
			t.Errorf("part %d: %d opens in 3 batches, want %d", tc.part, opens, 3*tc.part)
		}
	}
}

func TestExistingOpensOrder(t *testing.T) {
	rows := []sampler.Socket{
		sock(t, "tcp 127.0.0.1:9000 0.0.0.0:0 LISTEN #3"),
		sock(t, "tcp 127.0.0.1:80 0.0.0.0:0 LISTEN #1"),
		sock(t, "tcp 127.0.0.1:9000 0.0.0.0:0 LISTEN #3"), // repeated
		sock(t, "udp 127.0.0.1:80 0.0.0.0:0 CLOSE #2"),
	}
	x := newExistingOpens(sampler.Snapshot{Time: t0, Sockets: rows}, 2)
	var got []string
	for x.left() > 0 {
		for _, e := range x.take(nil) {
			got = append(got, fmt.Sprint(e.Socket.Cookie))
		}
		got = append(got, "|")
	}
	if fmt.Sprint(got) != "[1 2 | 3 |]" {
		t.Errorf("opens %v, want [1 2 | 3 |] (by port then ID, a repeated row once, 2 a part)", got)
	}
}

// TestExistingPartsCarryTheBatch: a part of the first sample's opens is a
// batch no step added to; it carries what the steps set as the others do
// (watch's stats line judged a namespace's sockets by no range, and found
// no full destination, from a part's batch).
func TestExistingPartsCarryTheBatch(t *testing.T) {
	table, _ := benchTables(100)
	p := newPending(DefaultMaxEvents, "test", newSnapRefs())
	ranges := []sampler.NetnsRange{{Netns: 7}}
	p.add(update{snapshot: &table, existing: newExistingOpens(table, 30), netnsRanges: ranges,
		audit: Audit{ReportedTCPAtKernel: 5}, sampled: true})
	for i := 0; ; i++ {
		b, ok := p.take()
		if !ok {
			if i != 4 {
				t.Errorf("%d batches, want 4 (100 opens, 30 a part)", i)
			}
			return
		}
		if len(b.NetnsRanges) != 1 || b.ReportedTCPAtKernel != 5 || len(b.Snapshot.Sockets) != 100 {
			t.Errorf("batch %d: ranges %v, ReportedTCPAtKernel %d, %d sockets; want the first sample's",
				i, b.NetnsRanges, b.ReportedTCPAtKernel, len(b.Snapshot.Sockets))
		}
	}
}
