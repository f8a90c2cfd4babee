//go:build linux

package netns

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"
	"weak"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/nstest"
)

// The busiest namespace read in full is handed out as the snapshot, not
// copied (at 100k sockets two tables stay alive, not three). Its consumer
// may write over it, so that namespace is read in full at its next round
// whatever its counters say (that read is copied, so a quiet namespace is
// skipped again after it), and the snapshot handed back goes to it to
// fill: every round shows every namespace's sockets as they are.
func TestBusiestNamespaceHandedOutUncopied(t *testing.T) {
	nstest.RequireRoot(t)
	// Inside a namespace of its own: the machine's, where other tests
	// churn, is never quiet (and may be the busiest).
	name, inside := insideOwnNamespace(t, "handout")
	if !inside {
		return
	}
	n := inNamespace(t, name)
	src := sourceOver(t, n)
	src.mu.Lock()
	src.shareMin = 1
	src.mu.Unlock()
	advance := freeze(src)
	ln, client, server := pairIn(t, n, "127.0.0.1:7620")
	defer ln.Close()
	defer client.Close()
	defer server.Close()
	rowsOf := func(socks []sampler.Socket) []string {
		var out []string
		for _, s := range socks {
			if s.Netns == n.Inode {
				out = append(out, s.Proto.String()+" "+s.Local.String()+" "+s.Remote.String()+" "+s.State.String())
			}
		}
		slices.Sort(out)
		return out
	}
	// out is the member whose table is out, and whether it is the
	// busiest of those read; fails unless exactly one is out.
	out := func(snap []sampler.Socket) *member {
		t.Helper()
		src.mu.Lock()
		defer src.mu.Unlock()
		var outs []*member
		busiest := 0
		for _, m := range src.members {
			busiest = max(busiest, m.count)
			if m.out {
				outs = append(outs, m)
			}
		}
		if len(outs) != 1 {
			t.Fatalf("%d namespaces' tables out, want 1", len(outs))
		}
		m := outs[0]
		if m.count != busiest {
			t.Errorf("%s (%d sockets) handed out, not the busiest (%d)", m.ns.Label(), m.count, busiest)
		}
		if len(snap) == 0 || len(m.last) == 0 || &snap[0] != &m.last[0] {
			t.Errorf("the snapshot is a copy, not %s's table", m.ns.Label())
		}
		return m
	}
	scribble := func(snap []sampler.Socket) {
		for i := range snap {
			snap[i] = sampler.Socket{State: sampler.StateTimeWait}
			snap[i].Proto, snap[i].Cookie = sampler.TCP, uint64(i+1)
		}
	}
	sample := func() []sampler.Socket {
		t.Helper()
		snap, err := src.Sample(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return snap.Sockets
	}

	advance(fullEvery + time.Second) // every namespace read in full
	s1 := sample()
	want := rowsOf(s1)
	if len(want) < 3 { // the listener, both ends
		t.Fatalf("the namespace shows %d sockets, want at least 3: %v", len(want), want)
	}
	m1 := out(s1)
	src.mu.Lock()
	quiet := m1.quiet
	src.mu.Unlock()
	scribble(s1)
	src.Recycle(s1) // still m1's table: it stays out
	s2 := sample()
	if got := rowsOf(s2); !slices.Equal(got, want) {
		t.Errorf("after the handed-out snapshot was written over: %v, want %v", got, want)
	}
	src.mu.Lock()
	if m1.quiet != quiet {
		t.Errorf("%s was skipped after its table was handed out: want a full read", m1.ns.Label())
	}
	src.mu.Unlock()
	// That read, made only because the table was out, is copied, not
	// handed out in turn: a quiet namespace is then skipped again, not
	// read in full every round.
	src.mu.Lock()
	for _, m := range src.members {
		if m.out {
			t.Errorf("%s's table handed out after a read made only because it was out", m.ns.Label())
		}
	}
	src.mu.Unlock()
	scribble(s2)
	src.Recycle(s1) // back, for a namespace's next read to fill
	src.Recycle(s2)
	s3 := sample()
	if got := rowsOf(s3); !slices.Equal(got, want) {
		t.Errorf("after written-over snapshots came back: %v, want %v", got, want)
	}
	src.mu.Lock()
	if m1.quiet != quiet+1 {
		t.Errorf("%s, quiet, was read in full again (quiet rounds %d, want %d)", m1.ns.Label(), m1.quiet, quiet+1)
	}
	src.mu.Unlock()
	for _, s := range s3 {
		if s.Netns == 0 {
			t.Fatalf("a socket without its namespace: %+v", s)
		}
	}
}

// A sample narrowed to UDP (what the ebpf source asks for between whole
// tables) is copied into a slice sized by its own rows, not by the last
// whole table's, and a whole table's slice handed back is not kept for it.
func TestNarrowedSampleSizedByItsRows(t *testing.T) {
	nstest.RequireRoot(t)
	n := inNamespace(t, nstest.Netns(t, "narrowed", 0, 0))
	src := sourceOver(t, n)
	src.mu.Lock()
	src.shareMin = 1 << 30 // every table copied: this test is about the copy
	src.mu.Unlock()
	whole := wholeWithPairs(t, src, n, 7700)
	src.Recycle(whole.Sockets)
	src.SetQuery(sampler.Query{Protos: []sampler.Proto{sampler.UDP}})
	udp, err := src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := len(udp.Sockets) + len(udp.Sockets)/8 + 16
	if cap(udp.Sockets) > 4*want {
		t.Errorf("a UDP sample of %d sockets in a slice for %d (the whole table: %d)", len(udp.Sockets), cap(udp.Sockets), len(whole.Sockets))
	}
}

// A whole table handed back while the Source samples far fewer rows (the
// ebpf source's UDP-only samples between two checks, 10 s apart) is let
// go, not kept for the next whole read to fill: between checks one whole
// table stays alive (the consumer's), not two, and at a check two, not
// three. A table handed back while whole tables are read is kept (the
// first test).
func TestWholeTableBackWhileNarrowedLetGo(t *testing.T) {
	nstest.RequireRoot(t)
	n := inNamespace(t, nstest.Netns(t, "letgo", 0, 0))
	src := sourceOver(t, n)
	src.mu.Lock()
	src.shareMin = 1 // whatever this machine's own namespace holds
	src.mu.Unlock()
	whole := wholeWithPairs(t, src, n, 7800)
	back := weak.Make(&whole.Sockets[0])
	src.SetQuery(sampler.Query{Protos: []sampler.Proto{sampler.UDP}})
	for range 2 { // the first is a full read of the namespace whose table is out
		snap, err := src.Sample(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		src.Recycle(snap.Sockets)
	}
	src.Recycle(whole.Sockets)
	whole = sampler.Snapshot{}
	runtime.GC()
	runtime.GC()
	if back.Value() != nil {
		t.Error("a whole table handed back between UDP-only samples is still held")
	}
	// Whole tables again: one handed back now is kept for the next read.
	src.SetQuery(sampler.Query{})
	for range 2 {
		snap, err := src.Sample(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		src.Recycle(snap.Sockets)
	}
	snap, err := src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	kept := weak.Make(&snap.Sockets[0])
	src.Recycle(snap.Sockets)
	snap = sampler.Snapshot{}
	runtime.GC()
	if kept.Value() == nil {
		t.Error("a whole table handed back while whole tables are read was let go")
	}
}

// wholeWithPairs makes 100 loopback connections in n on ports from base up
// (300 TCP sockets at least, closed when the test ends) and returns src's
// sample of them, failing unless it holds them.
func wholeWithPairs(t *testing.T, src *Source, n NS, base int) sampler.Snapshot {
	t.Helper()
	for i := range 100 {
		ln, client, server := pairIn(t, n, "127.0.0.1:"+strconv.Itoa(base+i))
		t.Cleanup(func() { ln.Close(); client.Close(); server.Close() })
	}
	whole, err := src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Sockets) < 300 {
		t.Fatalf("the whole table holds %d sockets, want at least 300", len(whole.Sockets))
	}
	return whole
}
