package churn

import (
	"maps"
	"net/netip"
	"slices"
	"testing"

	"github.com/porttop/porttop/sampler"
)

func sock(proto sampler.Proto, local, remote string, state sampler.State) sampler.Socket {
	return sampler.Socket{
		ID:    sampler.ID{Proto: proto, Local: netip.MustParseAddrPort(local), Remote: netip.MustParseAddrPort(remote)},
		State: state,
		Owner: sampler.Owner{UID: -1},
	}
}

func dest(proto sampler.Proto, remote string) Dest {
	return Dest{Proto: proto, Remote: netip.MustParseAddrPort(remote)}
}

func TestCountDests(t *testing.T) {
	socks := []sampler.Socket{
		sock(sampler.TCP, "10.0.0.2:40000", "10.0.0.5:5432", sampler.StateEstablished),
		sock(sampler.TCP, "10.0.0.2:40001", "10.0.0.5:5432", sampler.StateTimeWait),
		sock(sampler.UDP, "10.0.0.2:40002", "10.0.0.5:5432", sampler.StateNone),
		sock(sampler.TCP, "[2001:db8::2]:40003", "[2001:db8::5]:443", sampler.StateEstablished),
		// Not destinations:
		sock(sampler.TCP, "0.0.0.0:22", "0.0.0.0:0", sampler.StateListen),
		sock(sampler.TCP, "[::]:22", "[::]:0", sampler.StateListen),
		sock(sampler.UDP, "0.0.0.0:53", "0.0.0.0:0", sampler.StateNone),
		sock(sampler.TCP, "10.0.0.2:8080", "10.0.0.7:0", sampler.StateSynSent),
		sock(sampler.TCP, "10.0.0.2:8080", "10.0.0.9:3333", sampler.StateListen),
		// Outside the range: bound by number, or handed out before the range changed.
		sock(sampler.TCP, "10.0.0.2:61000", "10.0.0.5:5432", sampler.StateEstablished),
		sock(sampler.TCP, "10.0.0.2:5000", "10.0.0.5:5432", sampler.StateEstablished),
	}
	got := map[Dest]int{}
	Model{ephemeral: linuxEphemeral}.countDests(socks, nil, got, map[destPort]struct{}{})
	want := map[Dest]int{
		dest(sampler.TCP, "10.0.0.5:5432"):     2,
		dest(sampler.UDP, "10.0.0.5:5432"):     1,
		dest(sampler.TCP, "[2001:db8::5]:443"): 1,
	}
	if !maps.Equal(got, want) {
		t.Errorf("countDests = %v; want %v", got, want)
	}
}

func TestTopN(t *testing.T) {
	a := dest(sampler.TCP, "10.0.0.1:80")
	b := dest(sampler.TCP, "10.0.0.2:80")
	c := dest(sampler.TCP, "10.0.0.3:80")
	d := dest(sampler.UDP, "10.0.0.1:80")
	counts := map[Dest]int{a: 5, b: 9, c: 5, d: 1}
	tests := []struct {
		n    int
		want []DestCount
	}{
		{0, nil},
		{-1, nil},
		{1, []DestCount{{b, 9}}},
		{3, []DestCount{{b, 9}, {a, 5}, {c, 5}}}, // a tie goes by address
		{10, []DestCount{{b, 9}, {a, 5}, {c, 5}, {d, 1}}},
	}
	for _, tt := range tests {
		if got := TopN(counts, tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("TopN(n=%d) = %v; want %v", tt.n, got, tt.want)
		}
	}
	if got := TopN(map[Dest]int{}, 5); len(got) != 0 {
		t.Errorf("TopN(empty) = %v; want none", got)
	}
}

func TestTopNMatchesFullSort(t *testing.T) {
	counts := map[Dest]int{}
	for i := 0; i < 2000; i++ {
		counts[Dest{Proto: sampler.TCP, Remote: netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), 443)}] = (i * 7919) % 613
	}
	var all []DestCount
	for d, n := range counts {
		all = append(all, DestCount{d, n})
	}
	slices.SortFunc(all, byPortsDesc)
	if got := TopN(counts, 25); !slices.Equal(got, all[:25]) {
		t.Errorf("TopN(25) differs from the first 25 of a full sort:\n got %v\nwant %v", got, all[:25])
	}
}

// With the range unknown (a recording without one), every local port counts.
func TestCountDestsRangeUnknown(t *testing.T) {
	socks := []sampler.Socket{
		sock(sampler.TCP, "10.0.0.2:61000", "10.0.0.5:5432", sampler.StateEstablished),
		sock(sampler.TCP, "10.0.0.2:40000", "10.0.0.5:5432", sampler.StateEstablished),
	}
	got := map[Dest]int{}
	Model{}.countDests(socks, nil, got, map[destPort]struct{}{})
	if n := got[dest(sampler.TCP, "10.0.0.5:5432")]; n != 2 {
		t.Errorf("range unknown: %d ports counted, want 2", n)
	}
}

// Many local addresses to one destination: each local port is used up once
// per (local address, destination), so 3 sockets on 2 distinct ports hold 2
// ports of the range, not 3 (2,000 conn/s from 62,500 source addresses
// read as 114% of the range when sockets were counted).
func TestCountDestsCountsPortsNotSockets(t *testing.T) {
	socks := []sampler.Socket{
		sock(sampler.TCP, "10.0.0.2:40000", "10.0.0.5:5432", sampler.StateEstablished),
		sock(sampler.TCP, "10.0.0.3:40000", "10.0.0.5:5432", sampler.StateEstablished),
		sock(sampler.TCP, "10.0.0.4:40001", "10.0.0.5:5432", sampler.StateTimeWait),
		// The same port to another destination is another use of it.
		sock(sampler.TCP, "10.0.0.2:40000", "10.0.0.6:5432", sampler.StateEstablished),
	}
	got := map[Dest]int{}
	Model{ephemeral: linuxEphemeral}.countDests(socks, nil, got, map[destPort]struct{}{})
	want := map[Dest]int{
		dest(sampler.TCP, "10.0.0.5:5432"): 2,
		dest(sampler.TCP, "10.0.0.6:5432"): 1,
	}
	if !maps.Equal(got, want) {
		t.Errorf("countDests = %v; want %v", got, want)
	}
}
