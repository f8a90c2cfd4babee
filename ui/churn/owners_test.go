package churn

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
)

func owned(socks []sampler.Socket, name string) []sampler.Socket {
	for i := range socks {
		socks[i].Process = name
	}
	return socks
}

// Each top destination names who holds its ports, with shares of its
// distinct local ports, most first: of the database's 12 ports 6 are
// psql's, 3 pgbench's (two of them in TIME_WAIT, its last owner known), 2
// TIME_WAIT sockets' whose owner porttop never knew (no process holds
// them), 1 unknown. A port a second socket shares (from
// another local address) counts once. A destination one process holds
// alone names it without a share; a name's control characters are shown
// escaped.
func TestTopDestinationsNameTheirOwners(t *testing.T) {
	var socks []sampler.Socket
	socks = append(socks, owned(clients(40000, 6, "10.0.0.5:5432", sampler.StateEstablished), "psql")...)
	socks = append(socks, owned(clients(40006, 2, "10.0.0.5:5432", sampler.StateTimeWait), "pgbench")...)
	socks = append(socks, owned(clients(40008, 1, "10.0.0.5:5432", sampler.StateEstablished), "pgbench")...)
	socks = append(socks, clients(40009, 1, "10.0.0.5:5432", sampler.StateEstablished)...)
	socks = append(socks, clients(40010, 2, "10.0.0.5:5432", sampler.StateTimeWait)...)
	dup := owned(clients(40000, 1, "10.0.0.5:5432", sampler.StateEstablished), "other")[0]
	dup.Local = netip.AddrPortFrom(netip.MustParseAddr("10.0.0.3"), 40000)
	socks = append(socks, dup)
	socks = append(socks, owned(clients(41000, 2, "10.0.0.9:443", sampler.StateEstablished), "cu\x1b]2;x\arl")...)
	m := New(plainStyles(), linuxEphemeral, 0.5).Observe(sampler.Snapshot{Sockets: socks}, nil, scriptStart)
	v := viewAt(m, 120, 12)
	for _, want := range []string{
		"tcp 10.0.0.5:5432      12   0% █░░░░░░░░░  psql 50%, pgbench 25%, TIME_WAIT 16%, +1 more",
		"tcp 10.0.0.9:443        2   0% █░░░░░░░░░  cu\\x1b]2;x\\arl",
		"WARN over 50% · held by",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("panel lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "other") || strings.Contains(v, "\x1b") {
		t.Errorf("a shared port counted twice, or a raw escape:\n%q", v)
	}
}

// More than three owners: the rest are summed up.
func TestOwnersBeyondThreeSummedUp(t *testing.T) {
	got := ownersText([]ownerShare{{"a", 4}, {"b", 3}, {"c", 2}, {"d", 1}, {"e", 1}}, 11)
	if want := "a 36%, b 27%, c 18%, +2 more"; got != want {
		t.Errorf("ownersText = %q, want %q", got, want)
	}
}
