package dests

import (
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"testing"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

func tcp(local, remote string, st sampler.State) sampler.Socket {
	return sampler.Socket{
		ID: sampler.ID{Proto: sampler.TCP, Local: netip.MustParseAddrPort(local),
			Remote: netip.MustParseAddrPort(remote)},
		State: st,
		Owner: sampler.Owner{UID: -1},
	}
}

// A range of 4 ports (60000-60003): the database holds 3 and a listener
// binds the 4th, so no connect() to the database can get a port: the range
// is full for it. The cache, holding one port, is not: a connect() to it
// may share the database's ports (another 4-tuple), not the listener's.
func TestFullCountsPortsABindHolds(t *testing.T) {
	r := ports.Range{Lo: 60000, Hi: 60003}
	db, cache := "10.0.0.5:5432", "10.0.0.6:6379"
	socks := []sampler.Socket{
		tcp("10.0.0.2:60000", db, sampler.StateEstablished),
		tcp("10.0.0.2:60001", db, sampler.StateTimeWait),
		tcp("10.0.0.3:60001", db, sampler.StateEstablished), // the same port from another address: one port
		tcp("10.0.0.2:60002", db, sampler.StateEstablished),
		tcp("0.0.0.0:60003", "0.0.0.0:0", sampler.StateListen),
		tcp("10.0.0.2:60000", cache, sampler.StateEstablished),
	}
	var l sampler.Listeners
	l.Reset(socks)
	counts := map[Dest]int{}
	Count(socks, &l, One(r), counts, map[Port]struct{}{})
	dbDest := Dest{Proto: sampler.TCP, Remote: netip.MustParseAddrPort(db)}
	if counts[dbDest] != 3 {
		t.Errorf("database holds %d ports, want 3", counts[dbDest])
	}
	blocked := Blocked(socks, One(r))
	if blocked[Space{Proto: sampler.TCP}] != 1 || blocked[Space{Proto: sampler.UDP}] != 0 {
		t.Errorf("blocked %v, want the listener's 1 tcp port", blocked)
	}
	if got := Full(counts, blocked, One(r)); !slices.Equal(got, []Dest{dbDest}) {
		t.Errorf("Full = %v, want only %v", got, dbDest)
	}
	if Full(counts, blocked, One(ports.Range{})) != nil {
		t.Error("full of an unknown range")
	}
}

// Two network namespaces connect to the same database: tiny, with a range
// of its own of 10 ports (20000-20009), and porttop's (32768-60999). Each
// step adds sockets; the destination is full for tiny when tiny's range
// is used up (its 9 ports and its own listener's), whatever porttop's
// namespace holds, and porttop's sockets neither fill nor block tiny's
// range, even on the same port numbers.
func TestFullPerNamespace(t *testing.T) {
	const tiny = 4026532999
	host := ports.Range{Lo: 32768, Hi: 60999}
	r := RangesOf(host, []sampler.NetnsRange{{Netns: tiny, NetnsName: "tiny", Range: ports.Range{Lo: 20000, Hi: 20009}}})
	db := "10.0.0.5:5432"
	inTiny := func(s sampler.Socket) sampler.Socket { s.Netns = tiny; return s }
	tinyDB := Dest{Proto: sampler.TCP, Remote: netip.MustParseAddrPort(db), Netns: tiny}
	hostDB := Dest{Proto: sampler.TCP, Remote: netip.MustParseAddrPort(db)}
	var socks []sampler.Socket
	for p := 20000; p < 20009; p++ { // 9 of tiny's 10 ports
		socks = append(socks, inTiny(tcp("10.0.0.2:"+strconv.Itoa(p), db, sampler.StateEstablished)))
	}
	steps := []struct {
		name string
		add  []sampler.Socket
		want []Dest
		held map[Dest]int
	}{
		{"tiny holds 9 of its 10", nil, nil, map[Dest]int{tinyDB: 9}},
		{"porttop's namespace binds tiny's 10th port number: not tiny's",
			[]sampler.Socket{tcp("0.0.0.0:20009", "0.0.0.0:0", sampler.StateListen),
				tcp("10.0.0.2:20009", db, sampler.StateEstablished)}, // outside porttop's range: no port of it
			nil, map[Dest]int{tinyDB: 9}},
		{"porttop's namespace holds 9 ports towards the same database",
			hostSocks(db, 9), nil, map[Dest]int{tinyDB: 9, hostDB: 9}},
		{"tiny's own listener binds its 10th port: full for tiny alone",
			[]sampler.Socket{inTiny(tcp("0.0.0.0:20009", "0.0.0.0:0", sampler.StateListen))},
			[]Dest{tinyDB}, map[Dest]int{tinyDB: 9, hostDB: 9}},
	}
	for i, st := range steps {
		socks = append(socks, st.add...)
		var l sampler.Listeners
		l.Reset(socks)
		counts := map[Dest]int{}
		Count(socks, &l, r, counts, map[Port]struct{}{})
		if !maps.Equal(counts, st.held) {
			t.Errorf("step %d (%s): counts %v, want %v", i, st.name, counts, st.held)
		}
		if got := Full(counts, Blocked(socks, r), r); !slices.Equal(got, st.want) {
			t.Errorf("step %d (%s): full %v, want %v", i, st.name, got, st.want)
		}
	}
	if got := r.Label(tinyDB); got != "tcp 10.0.0.5:5432 in netns tiny" {
		t.Errorf("label %q", got)
	}
	if got := tinyDB.String(); got != "tcp 10.0.0.5:5432 in net:[4026532999]" {
		t.Errorf("string %q", got)
	}
	// Judged by porttop's range alone (as before namespaces), tiny's
	// database holds none of it: nothing full.
	var l sampler.Listeners
	l.Reset(socks)
	counts := map[Dest]int{}
	Count(socks, &l, One(host), counts, map[Port]struct{}{})
	if got := Full(counts, Blocked(socks, One(host)), One(host)); got != nil {
		t.Errorf("by porttop's range alone: full %v", got)
	}
}

func hostSocks(remote string, n int) []sampler.Socket {
	var out []sampler.Socket
	for i := range n {
		out = append(out, tcp("10.0.0.2:"+strconv.Itoa(40000+i), remote, sampler.StateEstablished))
	}
	return out
}
