//go:build linux

package sockdiag

import (
	"context"
	"os"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// SampleKept on this host's table: keep is asked of every row the dump
// reads (as many as a whole Sample's, give or take what opened and closed
// between them), and the snapshot holds the rows it kept alone, with
// their owners; a connection opened after the whole Sample is all that a
// filter of that sample's cookies keeps of the test's sockets.
func TestSampleKeptOnLoopback(t *testing.T) {
	old := openPair(t, "tcp4", "127.0.0.1:0")
	src, err := New()
	if err != nil {
		t.Skipf("no sock_diag here: %v", err)
	}
	defer src.Close()
	ctx := context.Background()
	whole, err := src.Sample(ctx)
	if err != nil {
		t.Fatal(err)
	}
	oldRow, ok := findSocket(whole.Sockets, sampler.TCP, addrPort(old.client.LocalAddr()), addrPort(old.client.RemoteAddr()))
	if !ok {
		t.Fatal("the test's connection is not in the whole sample")
	}
	before := map[uint64]bool{}
	for _, s := range whole.Sockets {
		before[s.Cookie] = true
	}
	fresh := openPair(t, "tcp4", "127.0.0.1:0")
	asked, restarts := 0, 0
	snap, filtered, err := src.SampleKept(ctx, func(s *sampler.Socket) bool {
		if s == nil {
			restarts++
			return true
		}
		asked++
		return !before[s.Cookie]
	})
	if err != nil || !filtered {
		t.Fatalf("SampleKept: filtered %v, %v", filtered, err)
	}
	t.Logf("whole sample %d rows; filtered: %d asked, %d kept, %d restarts", len(whole.Sockets), asked, len(snap.Sockets), restarts)
	if asked < len(whole.Sockets)/2 {
		t.Errorf("keep asked of %d rows, the whole sample held %d", asked, len(whole.Sockets))
	}
	for _, s := range snap.Sockets {
		if before[s.Cookie] {
			t.Errorf("a row keep left out is in the snapshot: %+v", s)
		}
	}
	if _, ok := findSocket(snap.Sockets, sampler.TCP, oldRow.Local, oldRow.Remote); ok {
		t.Error("the connection of the whole sample was kept")
	}
	got, ok := findSocket(snap.Sockets, sampler.TCP, addrPort(fresh.client.LocalAddr()), addrPort(fresh.client.RemoteAddr()))
	if !ok {
		t.Fatal("the connection opened after the whole sample was not kept")
	}
	if cookie, _ := kernelIdentity(t, fresh.client); got.Cookie != cookie {
		t.Errorf("kept row's cookie %d, the kernel's %d", got.Cookie, cookie)
	}
	if got.PID != int32(os.Getpid()) {
		t.Errorf("kept row's owner %d, want this process %d", got.PID, os.Getpid())
	}
	// A whole Sample after it holds the table again.
	again, err := src.Sample(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := findSocket(again.Sockets, sampler.TCP, oldRow.Local, oldRow.Remote); !ok {
		t.Error("a whole Sample after SampleKept lacks the old connection")
	}
}
