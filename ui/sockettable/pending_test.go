package sockettable

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// churnScript makes batches of a churning table: sockets open, close,
// change state and owner, in a shuffled snapshot.
type churnScript struct {
	rng   *rand.Rand
	next  uint64
	socks []sampler.Socket
}

func (c *churnScript) sock(now time.Time) sampler.Socket {
	procs := []string{"", "curl", "nginx", "zsh", "a"}
	states := []sampler.State{sampler.StateEstablished, sampler.StateListen, sampler.StateTimeWait, sampler.StateCloseWait}
	addrs := []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("fe80::1")}
	c.next++
	return sampler.Socket{
		ID: sampler.ID{Proto: sampler.TCP, Cookie: c.next,
			Local:  netip.AddrPortFrom(addrs[c.rng.IntN(len(addrs))], uint16(c.rng.IntN(30))),
			Remote: netip.AddrPortFrom(addrs[c.rng.IntN(len(addrs))], uint16(c.rng.IntN(4)))},
		State: states[c.rng.IntN(len(states))],
		Owner: sampler.Owner{PID: int32(c.rng.IntN(3)), Process: procs[c.rng.IntN(len(procs))]},
		Since: sampler.StampOf(now.Add(-time.Duration(c.rng.IntN(50)) * time.Second)),
	}
}

// step is the next snapshot (a new slice) and the events leading to it.
func (c *churnScript) step(now time.Time) ([]sampler.Socket, []sampler.Event) {
	var evs []sampler.Event
	next := make([]sampler.Socket, 0, len(c.socks)+20)
	for _, s := range c.socks {
		switch c.rng.IntN(15) {
		case 0:
			evs = append(evs, sampler.Event{Kind: sampler.Closed, Time: now, Socket: s, Held: time.Second})
			continue
		case 1:
			s.State = sampler.StateTimeWait
		case 2:
			s.Process, s.PID = "nginx", 7
		}
		next = append(next, s)
	}
	for range c.rng.IntN(25) {
		s := c.sock(now)
		next = append(next, s)
		evs = append(evs, sampler.Event{Kind: sampler.Opened, Time: now, Socket: s})
	}
	c.rng.Shuffle(len(next), func(i, j int) { next[i], next[j] = next[j], next[i] })
	c.socks = next
	return next, evs
}

// onScreen is the table's rows on screen, cursor marked.
func onScreen(t *testing.T, m Model) []sampler.ID {
	t.Helper()
	var out []sampler.ID
	end := min(m.offset+m.visibleRows(), m.Len())
	for i := m.offset; i < end; i++ {
		out = append(out, m.rowAt(i).s.ID)
	}
	return out
}

// TestSortLaterShowsWhatASortShows: a table that takes prepared rows
// (some prepared in an order the key has since changed) and answers the
// sort key with SortLater shows, step after step, the very rows, cursor
// and selection of a table that sorts everything at once.
func TestSortLaterShowsWhatASortShows(t *testing.T) {
	for seed := range uint64(6) {
		now := t0
		c := newChurnScript(seed, 3, 300, now)
		rng := c.rng
		whole, lazy := newTable(100, 12), newTable(100, 12)
		var prep Preparer
		socks := c.socks
		whole.Observe(socks, nil, now)
		lazy.ObservePrepared(prep.Prepare(socks, lazy.Settings()), socks, nil, now)
		for step := range 60 {
			// what the preparer was told before the key: it may lag
			stale := lazy.Settings()
			sameKey(rng, &whole, &lazy)
			if rng.IntN(3) == 0 {
				now = now.Add(time.Second)
				var evs []sampler.Event
				socks, evs = c.step(now)
				set := lazy.Settings()
				if rng.IntN(2) == 0 {
					set = stale
				}
				whole.Observe(socks, evs, now)
				lazy.ObservePrepared(prep.Prepare(socks, set), socks, evs, now)
			}
			if rng.IntN(4) == 0 {
				now = now.Add(DefaultGoneFor / 2)
				whole.Expire(now)
				lazy.Expire(now)
			}
			w, l := onScreen(t, whole), onScreen(t, lazy)
			if len(w) != len(l) || whole.cursor != lazy.cursor || whole.offset != lazy.offset {
				t.Fatalf("seed %d step %d (%v, pending %v): %d rows at %d, cursor %d; want %d at %d, cursor %d",
					seed, step, lazy.Sort(), lazy.pend.on, len(l), lazy.offset, lazy.cursor, len(w), whole.offset, whole.cursor)
			}
			for i := range w {
				if w[i] != l[i] {
					t.Fatalf("seed %d step %d (%v, pending %v): row %d is %v, want %v", seed, step, lazy.Sort(), lazy.pend.on, i, l[i], w[i])
				}
			}
			ws, _ := whole.Selected()
			ls, _ := lazy.Selected()
			if ws.ID != ls.ID {
				t.Fatalf("seed %d step %d: selected %v, want %v", seed, step, ls.ID, ws.ID)
			}
		}
	}
}

// TestPreparedUnderAnotherFilterIsNotTaken: rows prepared before the filter
// changed would show sockets the filter leaves out; the table makes its
// own instead.
func TestPreparedUnderAnotherFilterIsNotTaken(t *testing.T) {
	m := newTable(100, 20)
	var prep Preparer
	socks := sample()
	p := prep.Prepare(socks, m.Settings())
	m.SetFilter(func(s *sampler.Socket) bool { return s.Local.Port() == 22 })
	m.ObservePrepared(p, socks, nil, t0)
	if got := rowPorts(m); len(got) != 1 || got[0] != 22 {
		t.Errorf("rows %v, want only port 22", got)
	}
}

// sameKey presses one random key, or none, on both tables: a sort the
// whole table applies at once and the lazy one later, a cursor move, End.
func sameKey(rng *rand.Rand, whole, lazy *Model) {
	switch rng.IntN(5) {
	case 0:
		k := whole.Sort().Next()
		whole.SetSort(k)
		lazy.SortLater(k)
	case 1:
		n := rng.IntN(40) - 20
		whole.MoveBy(n)
		lazy.MoveBy(n)
	case 2:
		whole.End()
		lazy.End()
	}
}

// newChurnScript is a script seeded with seed and stream, its table n
// sockets opened at now.
func newChurnScript(seed, stream uint64, n int, now time.Time) *churnScript {
	c := &churnScript{rng: rand.New(rand.NewPCG(seed, stream))}
	for range n {
		c.socks = append(c.socks, c.sock(now))
	}
	return c
}
