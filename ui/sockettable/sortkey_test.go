package sockettable

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// TestSortKeyAgreesWithCompare: the packed keys are only a shortcut; the
// order must be exactly the one the full comparisons define.
func TestSortKeyAgreesWithCompare(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	procs := []string{"", "curl", "nginx", "zsh", "a"}
	states := []sampler.State{sampler.StateNone, sampler.StateEstablished, sampler.StateListen, sampler.StateTimeWait, sampler.StateCloseWait}
	socks := make([]sampler.Socket, 3000)
	for i := range socks {
		socks[i] = sampler.Socket{
			ID: sampler.ID{
				Proto:  sampler.Proto(1 + rng.IntN(2)),
				Local:  netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, byte(rng.IntN(3))}), uint16(rng.IntN(40))),
				Remote: netip.AddrPortFrom(netip.AddrFrom4([4]byte{1, 1, 1, byte(rng.IntN(3))}), uint16(rng.IntN(5))),
				Cookie: uint64(i),
			},
			State: states[rng.IntN(len(states))],
			Owner: sampler.Owner{PID: int32(rng.IntN(4)), Process: procs[rng.IntN(len(procs))]},
			Since: t0.Add(-time.Duration(rng.IntN(20)) * time.Second),
		}
	}
	for k := range sortKeyCount {
		m := newTable(100, 20)
		m.SetSort(k)
		m.Observe(socks, nil, t0)
		cmp := compareFor(k)
		if !slices.IsSortedFunc(m.rows, func(a, b row) int { return cmp(a.s, b.s) }) {
			t.Errorf("%v: keyed sort disagrees with the comparison", k)
		}
	}
}

func BenchmarkObserve100k(b *testing.B) {
	socks := make([]sampler.Socket, 100_000)
	for i := range socks {
		socks[i] = mk(sampler.TCP, "10.0.0.5:443", "1.2.3.4:80", sampler.StateEstablished, int32(i%50), "proxy", time.Duration(i%600)*time.Second)
		socks[i].Local = netip.AddrPortFrom(socks[i].Local.Addr(), uint16(32768+i%28232))
		socks[i].Cookie = uint64(i)
	}
	for k := range sortKeyCount {
		b.Run(k.String(), func(b *testing.B) {
			m := newTable(160, 40)
			m.SetSort(k)
			b.ReportAllocs()
			for b.Loop() {
				m.Observe(socks, nil, t0)
			}
		})
	}
}
