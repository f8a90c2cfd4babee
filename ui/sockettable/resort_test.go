package sockettable

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// TestBatchesKeepTheFullOrder: batch after batch, with sockets opening,
// closing, changing state and owner, the rows a batch merges into the
// previous order are exactly the rows a whole sort gives, for every order,
// with kernel cookies and without (then everything is sorted).
func TestBatchesKeepTheFullOrder(t *testing.T) {
	for _, cookies := range []bool{true, false} {
		for k := range sortKeyCount {
			rng := rand.New(rand.NewPCG(uint64(k), 9))
			procs := []string{"", "curl", "nginx", "zsh"}
			states := []sampler.State{sampler.StateEstablished, sampler.StateListen, sampler.StateTimeWait, sampler.StateCloseWait}
			addrs := []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("fe80::1"), netip.MustParseAddr("fe80::1%eth0")}
			next := uint64(1)
			mkSock := func(now time.Time) sampler.Socket {
				s := sampler.Socket{
					ID: sampler.ID{Proto: sampler.TCP,
						Local:  netip.AddrPortFrom(addrs[rng.IntN(len(addrs))], uint16(rng.IntN(30))),
						Remote: netip.AddrPortFrom(addrs[rng.IntN(len(addrs))], uint16(rng.IntN(4)))},
					State: states[rng.IntN(len(states))],
					Owner: sampler.Owner{PID: int32(rng.IntN(3)), Process: procs[rng.IntN(len(procs))]},
					Since: sampler.StampOf(now),
				}
				if cookies {
					s.Cookie = next
					next++
				}
				return s
			}
			m := newTable(100, 20)
			m.SetSort(k)
			now := t0
			var socks []sampler.Socket
			for range 200 {
				socks = append(socks, mkSock(now))
			}
			for batch := range 30 {
				now = now.Add(time.Second)
				var evs []sampler.Event
				nextSocks := make([]sampler.Socket, 0, len(socks)+20)
				for _, s := range socks {
					switch rng.IntN(20) {
					case 0: // closed
						evs = append(evs, sampler.Event{Kind: sampler.Closed, Time: now, Socket: s, Held: time.Second})
						continue
					case 1:
						s.State = states[rng.IntN(len(states))]
					case 2:
						s.Process, s.PID = procs[rng.IntN(len(procs))], int32(rng.IntN(3))
					}
					nextSocks = append(nextSocks, s)
				}
				for range rng.IntN(20) {
					s := mkSock(now)
					nextSocks = append(nextSocks, s)
					evs = append(evs, sampler.Event{Kind: sampler.Opened, Time: now, Socket: s})
				}
				rng.Shuffle(len(nextSocks), func(i, j int) { nextSocks[i], nextSocks[j] = nextSocks[j], nextSocks[i] })
				socks = nextSocks
				m.Observe(socks, evs, now)
				if batch%7 == 3 {
					m.Expire(now.Add(DefaultGoneFor / 2))
				}
				whole := slices.Clone(m.rows)
				cmp := m.compareRows()
				slices.SortFunc(whole, cmp)
				for i := range whole {
					if whole[i].s != m.rows[i].s {
						t.Fatalf("cookies %v, %v, batch %d: row %d is %v, a whole sort puts %v there",
							cookies, k, batch, i, m.rows[i].s.ID, whole[i].s.ID)
					}
				}
			}
		}
	}
}
