package sockettable

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/porttop/porttop/sampler"
)

// TestSortKeyAgreesWithCompare: the packed keys are only a shortcut; the
// order must be exactly the one the full comparisons define.
func TestSortKeyAgreesWithCompare(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	procs := []string{"", "curl", "nginx", "zsh", "a"}
	states := []sampler.State{sampler.StateNone, sampler.StateEstablished, sampler.StateListen, sampler.StateTimeWait, sampler.StateCloseWait}
	// Addresses the 64-bit keys hold whole (IPv4) and in part (IPv6 that
	// differ only past the first 62 bits, a zone), and none at all.
	addrs := []netip.Addr{
		{},
		netip.AddrFrom4([4]byte{10, 0, 0, 1}), netip.AddrFrom4([4]byte{10, 0, 0, 2}),
		netip.AddrFrom4([4]byte{1, 1, 1, 1}), netip.AddrFrom4([4]byte{255, 0, 0, 0}),
		netip.MustParseAddr("::1"), netip.MustParseAddr("fe80::1"), netip.MustParseAddr("fe80::1%eth0"),
		netip.MustParseAddr("fe80::2"), netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("ffff::3"),
	}
	addr := func() netip.Addr { return addrs[rng.IntN(len(addrs))] }
	socks := make([]sampler.Socket, 3000)
	for i := range socks {
		socks[i] = sampler.Socket{
			ID: sampler.ID{
				Proto:  sampler.Proto(1 + rng.IntN(2)),
				Local:  netip.AddrPortFrom(addr(), uint16(rng.IntN(40))),
				Remote: netip.AddrPortFrom(addr(), uint16(rng.IntN(5))),
				Cookie: uint64(i),
			},
			State: states[rng.IntN(len(states))],
			Owner: sampler.Owner{PID: int32(rng.IntN(4)), Process: procs[rng.IntN(len(procs))]},
			Since: sampler.StampOf(t0.Add(-time.Duration(rng.IntN(20)) * time.Second)),
		}
	}
	for k := range sortKeyCount {
		m := newTable(100, 20)
		m.SetSort(k)
		m.Observe(socks, nil, t0)
		cmp := compareFor(k)
		if !slices.IsSortedFunc(m.rows, func(a, b row) int { return cmp(a.s, b.s) }) {
			t.Errorf("%v: keyed sort disagrees with the comparison", k)
			for i := 1; i < len(m.rows); i++ {
				if c := cmp(m.rows[i-1].s, m.rows[i].s); c > 0 {
					t.Logf("%v %+v then %v %+v", m.rows[i-1].s.ID, m.rows[i-1].keys, m.rows[i].s.ID, m.rows[i].keys)
					break
				}
			}
		}
		for i := 1; i < len(m.rows); i++ {
			a, b := m.rows[i-1], m.rows[i]
			if a.keys.compare(&b.keys, k) > 0 {
				t.Fatalf("%v: keys out of order at row %d: %v then %v", k, i, a.s.ID, b.s.ID)
			}
		}
	}
}

func BenchmarkObserve100k(b *testing.B) {
	socks := make([]sampler.Socket, 100_000)
	for i := range socks {
		socks[i] = mk(sampler.TCP, "10.0.0.5:443", "1.2.3.4:80", sampler.StateEstablished, int32(i%50), "proxy", time.Duration(i%600)*time.Second)
		socks[i].Local = netip.AddrPortFrom(socks[i].Local.Addr(), uint16(32768+i%28232))
		socks[i].Cookie = uint64(i)
		if i%3 == 0 {
			// a server's side of held connections: one local port, the
			// clients' ports as remote ones (the ties a sort must break)
			socks[i].Local = netip.AddrPortFrom(socks[i].Local.Addr(), 8080)
			socks[i].Remote = netip.AddrPortFrom(socks[i].Remote.Addr(), uint16(32768+i%28232))
		}
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

// TestRowSize: a row holds a pointer to its socket and the keys of every
// order, no copy of the socket, 56 bytes (80 before the keys were packed):
// a table of 100k sockets keeps one or two arrays of them.
func TestRowSize(t *testing.T) {
	if n := unsafe.Sizeof(row{}); n > 56 {
		t.Errorf("a row is %d bytes, want at most 56", n)
	}
}
