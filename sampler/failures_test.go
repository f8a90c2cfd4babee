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

// Failed connects to one address from two network namespaces are two
// destinations (each namespace runs out of its own range): step by step,
// AddFailure keeps them apart with their namespace, the totals count each
// and name it, and porttop's own namespace's is named without one.
func TestFailuresKeepTheirNamespace(t *testing.T) {
	const own, blue = 4026531840, 4026532238
	db := netip.MustParseAddrPort("10.0.0.9:5432")
	at := time.Unix(100, 0)
	var groups []FailureCount
	for i, f := range []PortFailure{
		{At: at, Op: FailedConnect, Errno: ErrnoAddrNotAvail, Addr: db, Actor: Actor{PID: 7, Comm: "curl"}, NetNS: blue},
		{At: at.Add(time.Second), Op: FailedConnect, Errno: ErrnoAddrNotAvail, Addr: db, Actor: Actor{PID: 7, Comm: "curl"}, NetNS: blue, NetnsName: "blue"},
		{At: at.Add(2 * time.Second), Op: FailedConnect, Errno: ErrnoAddrNotAvail, Addr: db, Actor: Actor{PID: 8, Comm: "curl"}, NetNS: own},
	} {
		groups = AddFailure(groups, f)
		if want := []int{1, 1, 2}[i]; len(groups) != want {
			t.Fatalf("step %d: %d groups, want %d: %+v", i, len(groups), want, groups)
		}
	}
	if g := groups[0]; g.Netns != blue || g.NetnsName != "blue" || g.Count != 2 {
		t.Errorf("blue's group %+v, want netns %d named blue, 2 calls", g, blue)
	}
	if g := groups[1]; g.Netns != own || g.Count != 1 {
		t.Errorf("porttop's group %+v", g)
	}
	var tot FailureTotals
	tot.Add(groups)
	b, o := FailedDest{Addr: db, Netns: blue}, FailedDest{Addr: db, Netns: own}
	if tot.ByDest[b] != 2 || tot.ByDest[o] != 1 {
		t.Errorf("by destination %v", tot.ByDest)
	}
	if got := tot.Label(b, own); got != "10.0.0.9:5432 in netns blue" {
		t.Errorf("blue's label %q", got)
	}
	if got := tot.Label(o, own); got != "10.0.0.9:5432" {
		t.Errorf("porttop's own label %q", got)
	}
	if got := tot.Label(FailedDest{Addr: db, Netns: 4026532300}, own); got != "10.0.0.9:5432 in net:[4026532300]" {
		t.Errorf("an unnamed namespace's label %q", got)
	}
	if got := tot.Latest.DestLabel(0); got != "10.0.0.9:5432 in net:[4026531840]" {
		t.Errorf("latest, own unknown: %q", got)
	}
}
