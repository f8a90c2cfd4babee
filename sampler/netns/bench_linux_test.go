//go:build linux

package netns

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/nstest"
	"github.com/porttop/porttop/sampler/sockdiag"
)

// fillNamespace has helper processes hold conns loopback connections inside
// n (2*conns sockets), at most 2,500 each (5,000 descriptors), until the
// benchmark ends: the benchmark itself holds none.
func fillNamespace(b testing.TB, n NS, conns int) {
	b.Helper()
	for conns > 0 {
		c := min(conns, 2500)
		conns -= c
		h := startHelperEnv(b, n.Name, fmt.Sprintf("%s=%d", fillEnv, c))
		h.ready(b)
	}
}

// The target: a round over 20 namespaces of 1,000 sockets each
// costs at most 1.5x one dump of 20k sockets in one namespace. Both read
// namespaces the benchmark made, with full dumps (per-namespace sources
// make no partial samples), and attribute owners as Source does: one cache
// for the round's merged table, filled by the first round's walk.
func BenchmarkNamespaces(b *testing.B) {
	nstest.RequireRoot(b)
	const total, spread = 20000, 20
	one := func(b *testing.B) []NS {
		n := inNamespaceB(b, nstest.Netns(b, "bench-one", 0, 0))
		fillNamespace(b, n, total/2)
		return []NS{inNamespaceB(b, n.Name)} // now with the helpers' pid
	}
	many := func(b *testing.B) []NS {
		var ns []NS
		for i := range spread {
			n := inNamespaceB(b, nstest.Netns(b, fmt.Sprintf("bench-%d", i), 0, 0))
			fillNamespace(b, n, total/spread/2)
			ns = append(ns, inNamespaceB(b, n.Name))
		}
		return ns
	}
	oneName := fmt.Sprintf("one_namespace_%dk", total/1000)
	manyName := fmt.Sprintf("%d_namespaces_%dk_each", spread, total/spread/1000)
	b.Run("full_dumps/"+oneName, func(b *testing.B) { benchSources(b, one(b), total) })
	b.Run("full_dumps/"+manyName, func(b *testing.B) { benchSources(b, many(b), total) })
	b.Run("source/"+oneName, func(b *testing.B) { benchSource(b, one(b), total) })
	b.Run("source/"+manyName, func(b *testing.B) { benchSource(b, many(b), total) })
}

// benchSource times the multi-namespace Source's Sample over the given
// namespaces (and porttop's own, which it always reads): dumps, quiet
// namespaces skipped, cgroup tagging, one attribution of owners.
func benchSource(b *testing.B, ns []NS, want int) {
	src, err := newSource(func() ([]NS, error) {
		list, err := Discover()
		if err != nil {
			return nil, err
		}
		keep := list[:0]
		for _, n := range list {
			if n.Self || slices.ContainsFunc(ns, func(x NS) bool { return x.Inode == n.Inode }) {
				keep = append(keep, n)
			}
		}
		return keep, nil
	})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	ctx := context.Background()
	snap, err := src.Sample(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if len(snap.Sockets) < want {
		b.Fatalf("a round saw %d sockets, want at least %d", len(snap.Sockets), want)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := src.Sample(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var quiet uint64
	for _, m := range src.members {
		quiet += m.quiet
	}
	b.ReportMetric(float64(quiet)/float64(b.N*len(src.members)), "quiet/ns")
}

func benchSources(b *testing.B, ns []NS, want int) {
	var srcs []*sockdiag.Source
	for _, n := range ns {
		s, err := OpenSockDiag(n, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		s.WithoutOwners()
		srcs = append(srcs, s)
	}
	owners := sockdiag.NewOwners()
	defer owners.Close()
	ctx := context.Background()
	var all []sampler.Socket
	round := func() int {
		all = all[:0]
		for _, s := range srcs {
			snap, err := s.Sample(ctx)
			if err != nil {
				b.Fatal(err)
			}
			all = append(all, snap.Sockets...)
			s.Recycle(snap.Sockets)
		}
		owners.Attribute(all, time.Now())
		return len(all)
	}
	if got := round(); got < want {
		b.Fatalf("a round saw %d sockets, want at least %d", got, want)
	}
	b.ResetTimer()
	for b.Loop() {
		round()
	}
	b.ReportMetric(float64(want), "sockets")
}

func inNamespaceB(b *testing.B, name string) NS {
	b.Helper()
	list, err := Discover()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range list {
		if n.Name == name {
			return n
		}
	}
	b.Fatalf("namespace %s not discovered", name)
	return NS{}
}
