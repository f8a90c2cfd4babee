//go:build linux

package ebpf

import (
	"context"
	"net"
	"os"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// SampleKept over netlink: keep is asked of every row as the dump reads
// it, the rows kept (the test's connection's) come named with this
// process, and the sample counts as a full one for CompleteTransitions.
func TestSourceSampleKept(t *testing.T) {
	requireRoot(t)
	s := openSource(t)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	ours := func(sk *sampler.Socket) bool {
		return sk.Proto == sampler.TCP && (sk.Local.Port() == port || sk.Remote.Port() == port)
	}
	asked := 0
	snap, filtered, err := s.SampleKept(context.Background(), func(sk *sampler.Socket) bool {
		if sk == nil {
			return true
		}
		asked++
		return ours(sk)
	})
	if err != nil || !filtered {
		t.Fatalf("SampleKept: filtered %v, %v", filtered, err)
	}
	if len(snap.Sockets) != 3 || asked < 3 {
		t.Fatalf("kept %d rows of %d asked, want the listener and both ends (3)", len(snap.Sockets), asked)
	}
	for _, sk := range snap.Sockets {
		if !ours(&sk) || sk.PID != int32(os.Getpid()) {
			t.Errorf("kept %+v, want this process's", sk)
		}
	}
	if !s.CompleteTransitions() {
		t.Error("transitions not complete after a filtered sample of the whole table")
	}
}
