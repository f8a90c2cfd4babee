package sockdiag

import (
	"context"
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// Options.Dial opens every socket a Source uses: its dumps and, when the
// Conn is a real netlink socket (Dial), the release watcher's. This is how
// a caller reads another network namespace.
func TestOpenWithDialUsesItForDumpsAndWatching(t *testing.T) {
	dials := 0
	src, err := Open(Options{Dial: func() (Conn, error) {
		dials++
		return Dial()
	}})
	if err != nil {
		t.Skipf("netlink sock_diag unavailable here: %v", err)
	}
	t.Cleanup(func() { src.Close() })
	p := openPair(t, "tcp4", "127.0.0.1:0")
	snap, err := src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := findSocket(snap.Sockets, sampler.TCP, addrPort(p.client.LocalAddr()), addrPort(p.client.RemoteAddr())); !ok {
		t.Errorf("our connection not in a %d-socket sample", len(snap.Sockets))
	}
	if dials != 1 {
		t.Fatalf("%d dials for the dump socket, want 1", dials)
	}
	releases := watchSource(t, src)
	if dials != 3 {
		t.Errorf("%d dials after subscribing, want the watcher's two more", dials)
	}
	cookie, _ := kernelIdentity(t, p.client)
	p.client.Close()
	awaitReleases(t, releases, cookie)
}

// A Conn that is not a netlink socket (the fake kernel) serves dumps only.
func TestWatchingNeedsARealSocket(t *testing.T) {
	k := newFakeKernel(t, fakeTable(t)...)
	s := k.mustSource(t.TempDir())
	err := s.WatchReleases(context.Background(), make(chan sampler.Release))
	if err == nil || !strings.Contains(err.Error(), "needs a netlink socket") {
		t.Errorf("WatchReleases on a fake kernel: %v", err)
	}
	if k.open != 1 {
		t.Errorf("%d sockets open, want only the dump socket", k.open)
	}
}
