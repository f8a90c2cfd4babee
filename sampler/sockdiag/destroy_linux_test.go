//go:build linux

package sockdiag

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// A real loopback connection closed in the kernel: as root the client's
// next read fails as aborted (what ss -K does); as a user the refusal says
// what it needs.
func TestDestroyClosesARealConnection(t *testing.T) {
	p := openPair(t, "tcp4", "127.0.0.1:0")
	src := newSource(t)
	snap, err := src.Sample(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	local, remote := addrPort(p.client.LocalAddr()), addrPort(p.client.RemoteAddr())
	var client *sampler.Socket
	for i := range snap.Sockets {
		s := &snap.Sockets[i]
		if s.Local == local && s.Remote == remote {
			client = s
		}
	}
	if client == nil {
		t.Fatalf("the client %v -> %v is not in the sample", local, remote)
	}
	err = Destroy(*client)
	if os.Geteuid() != 0 {
		if err == nil || !strings.Contains(err.Error(), "needs root") {
			t.Fatalf("as uid %d: %v, want a refusal saying it needs root", os.Geteuid(), err)
		}
		return
	}
	if err != nil {
		t.Fatalf("destroy as root: %v", err)
	}
	p.client.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, rerr := p.client.Read(make([]byte, 1))
	if !errors.Is(rerr, syscall.ECONNABORTED) {
		t.Errorf("the client's read after destroy: %v, want ECONNABORTED", rerr)
	}
	if err := Destroy(*client); err == nil || !strings.Contains(err.Error(), "already gone") {
		t.Errorf("destroying it again: %v, want already gone", err)
	}
}
