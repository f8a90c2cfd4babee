//go:build linux

package sockdiag

import (
	"context"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// TestShortLivedSocketsOwnedAtFirstSight: this process held sockets when the
// first walk ran, so it is hot; each connection it then opens and closes
// between samples is attributed to it by the sample that first sees it,
// with no full walk allowed in between.
func TestShortLivedSocketsOwnedAtFirstSight(t *testing.T) {
	openPair(t, "tcp4", "127.0.0.1:0") // sockets of ours for the first walk to find
	src := newSource(t)
	ctx := context.Background()
	if _, err := src.Sample(ctx); err != nil {
		t.Fatal(err)
	}
	src.mu.Lock()
	src.owners.walkGap = time.Hour // as after a very slow walk: no full walk from here on
	src.mu.Unlock()
	me := int32(os.Getpid())
	for i := range 20 {
		network, addr := "tcp4", "127.0.0.1:0"
		if i%2 == 1 {
			network, addr = "tcp6", "[::1]:0"
		}
		p := openPair(t, network, addr)
		snap, err := src.Sample(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, end := range [][2]netip.AddrPort{
			{addrPort(p.client.LocalAddr()), addrPort(p.client.RemoteAddr())},
			{addrPort(p.server.LocalAddr()), addrPort(p.server.RemoteAddr())},
		} {
			s, ok := findSocket(snap.Sockets, sampler.TCP, end[0], end[1])
			if !ok {
				t.Fatalf("connection %d: %v->%v not sampled", i, end[0], end[1])
			}
			if s.PID != me || s.Process == "" {
				t.Fatalf("connection %d: %v->%v owned by pid %d %q at first sight, want %d", i, end[0], end[1], s.PID, s.Process, me)
			}
		}
		p.client.Close()
		p.server.Close()
		p.ln.Close()
	}
}
