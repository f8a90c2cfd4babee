//go:build linux

package netns

import (
	"context"
	"net"
	"net/netip"
	"os"
	"testing"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/nstest"
)

// SampleKept with one namespace read filters its reader's dump, each row
// placed before keep sees it: a connection opened after a whole Sample is
// kept, placed and owned; one of that Sample is left out. Other tests may
// make namespaces meanwhile: a round over several takes a whole Sample
// (filtered false), which must then hold both.
func TestSampleKeptPlacesEachRow(t *testing.T) {
	nstest.RequireRoot(t)
	src, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ctx := context.Background()
	old := loopbackPair(t)
	whole, err := src.Sample(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := map[uint64]bool{}
	for _, s := range whole.Sockets {
		before[s.Cookie] = true
	}
	fresh := loopbackPair(t)
	unplaced := 0
	snap, filtered, err := src.SampleKept(ctx, func(s *sampler.Socket) bool {
		if s == nil {
			return true
		}
		if s.Netns == 0 {
			unplaced++
		}
		return !before[s.Cookie]
	})
	if err != nil {
		t.Fatal(err)
	}
	freshRow, freshIn := findRow(snap.Sockets, fresh)
	_, oldIn := findRow(snap.Sockets, old)
	if !filtered {
		t.Logf("%d namespaces read: a whole sample", len(src.Namespaces()))
		if !freshIn || !oldIn {
			t.Errorf("a whole sample without one of the test's connections (fresh %v, old %v)", freshIn, oldIn)
		}
		return
	}
	if unplaced > 0 {
		t.Errorf("keep was asked of %d rows with no namespace", unplaced)
	}
	if oldIn || !freshIn {
		t.Fatalf("filtered: the old connection kept %v, the new one %v; want false, true", oldIn, freshIn)
	}
	if freshRow.Netns == 0 || freshRow.PID != int32(os.Getpid()) {
		t.Errorf("the kept row: namespace %d, owner %d; want placed and this process's (%d)", freshRow.Netns, freshRow.PID, os.Getpid())
	}
}

// With several namespaces read, SampleKept is a whole Sample: keep is
// never asked.
func TestSampleKeptSeveralNamespacesIsWhole(t *testing.T) {
	nstest.RequireRoot(t)
	nstest.Netns(t, "kept", 0, 0)
	src, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if n := len(src.Namespaces()); n < 2 {
		t.Fatalf("%d namespaces known, want 2 or more", n)
	}
	asked := 0
	snap, filtered, err := src.SampleKept(context.Background(), func(*sampler.Socket) bool { asked++; return false })
	if err != nil || filtered || asked > 0 {
		t.Fatalf("filtered %v, keep asked %d times, %v; want a whole sample", filtered, asked, err)
	}
	if len(snap.Sockets) == 0 {
		t.Error("a whole sample with no socket")
	}
}

// loopbackPair is a connection on this namespace's loopback, closed at
// the test's end.
func loopbackPair(t *testing.T) net.Conn {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return c
}

// findRow is c's client end among socks.
func findRow(socks []sampler.Socket, c net.Conn) (sampler.Socket, bool) {
	local := netip.MustParseAddrPort(c.LocalAddr().String())
	remote := netip.MustParseAddrPort(c.RemoteAddr().String())
	for _, s := range socks {
		if s.Proto == sampler.TCP && s.Local == local && s.Remote == remote {
			return s, true
		}
	}
	return sampler.Socket{}, false
}
