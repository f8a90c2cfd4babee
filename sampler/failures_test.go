package sampler

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

func failure(at time.Time, comm string, pid int32, dest string) PortFailure {
	return PortFailure{At: at, Op: FailedConnect, Errno: ErrnoAddrNotAvail, Addr: netip.MustParseAddrPort(dest),
		Actor: Actor{Known: true, PID: pid, Comm: comm}}
}

func TestFailuresSumPerProcessDestinationAndErrno(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var g []FailureCount
	for i := 0; i < 189; i++ {
		g = AddFailure(g, failure(t0.Add(time.Duration(i)), "python3", int32(100+i%3), "127.0.0.1:9400"))
	}
	g = AddFailure(g, failure(t0, "curl", 7, "127.0.0.1:9400"))
	g = AddFailure(g, failure(t0, "python3", 8, "127.0.0.1:9401"))
	if len(g) != 3 {
		t.Fatalf("groups = %+v, want 3", g)
	}
	if g[0].Count != 189 || g[0].PID != 100+188%3 || g[0].Last != t0.Add(188) {
		t.Errorf("python3 group = %+v, want 189 with the latest pid and time", g[0])
	}
	if g[1].Process != "curl" || g[1].Count != 1 || g[2].Addr.Port() != 9401 {
		t.Errorf("other groups = %+v", g[1:])
	}
}

func TestFailuresStayBoundedWithManyProcesses(t *testing.T) {
	var g []FailureCount
	for i := 0; i < 10*MaxFailureGroups; i++ {
		g = AddFailure(g, failure(time.Unix(int64(i), 0), fmt.Sprintf("p%d", i), int32(i), "127.0.0.1:9400"))
	}
	if len(g) != MaxFailureGroups+1 {
		t.Fatalf("%d groups, want %d", len(g), MaxFailureGroups+1)
	}
	var sum uint64
	for _, x := range g {
		sum += x.Count
	}
	last := g[len(g)-1]
	if sum != 10*MaxFailureGroups || !last.Other || last.Count != 9*MaxFailureGroups || last.Process != "" {
		t.Errorf("sum %d, overflow %+v", sum, last)
	}
	// Merging two full intervals keeps the bound.
	if m := MergeFailures(g, g); len(m) != MaxFailureGroups+1 || m[len(m)-1].Count != 18*MaxFailureGroups {
		t.Errorf("merged: %d groups, overflow %+v", len(m), m[len(m)-1])
	}
}

func TestErrnoNamesRoundTrip(t *testing.T) {
	for _, n := range []int{98, 99, 111} {
		got, ok := ErrnoNumber(ErrnoName(n))
		if !ok || got != n {
			t.Errorf("%d -> %q -> %d %v", n, ErrnoName(n), got, ok)
		}
	}
	if _, ok := ErrnoNumber("EPERM?"); ok {
		t.Error("an unknown name read as known")
	}
}

func TestFailureTotalsByDestinationPort(t *testing.T) {
	var tot FailureTotals
	tot.Add([]FailureCount{
		{Op: FailedConnect, Addr: netip.MustParseAddrPort("127.0.0.1:9400"), Count: 5, Process: "a"},
		{Op: FailedConnect, Addr: netip.MustParseAddrPort("10.0.0.1:9400"), Count: 2, Process: "a"},
		{Op: FailedBind, Count: 1, Last: time.Unix(5, 0)},
	})
	n, dests := tot.ToPort(9400)
	if n != 7 || len(dests) != 2 || tot.Connects != 7 || tot.Binds != 1 || tot.Latest.Op != FailedBind {
		t.Errorf("totals %+v; to 9400: %d %v", tot, n, dests)
	}
	if n, _ := tot.ToPort(80); n != 0 {
		t.Errorf("port 80: %d", n)
	}
}
