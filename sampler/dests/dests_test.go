package dests

import (
	"net/netip"
	"slices"
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
	Count(socks, &l, r, counts, map[Port]struct{}{})
	dbDest := Dest{Proto: sampler.TCP, Remote: netip.MustParseAddrPort(db)}
	if counts[dbDest] != 3 {
		t.Errorf("database holds %d ports, want 3", counts[dbDest])
	}
	blocked := Blocked(socks, r)
	if blocked[sampler.TCP] != 1 || blocked[sampler.UDP] != 0 {
		t.Errorf("blocked %v, want the listener's 1 tcp port", blocked)
	}
	if got := Full(counts, blocked, r); !slices.Equal(got, []Dest{dbDest}) {
		t.Errorf("Full = %v, want only %v", got, dbDest)
	}
	if Full(counts, blocked, ports.Range{}) != nil {
		t.Error("full of an unknown range")
	}
}
