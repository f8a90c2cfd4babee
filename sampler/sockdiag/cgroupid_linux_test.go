//go:build linux

package sockdiag

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/cgroup"
)

// Every socket a dump returns carries its cgroup: a loopback listener of
// this test is in the test process's own cgroup v2 directory, whose inode
// is the id. Any user may read both.
func TestDumpCarriesCgroupID(t *testing.T) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Skip("no /proc/self/mountinfo: ", err)
	}
	root, err := cgroup.ParseMountinfo(f)
	f.Close()
	if err != nil {
		t.Skip("no cgroup v2 hierarchy here, so sockets carry no cgroup id: ", err)
	}
	self, err := cgroup.OfPID(os.Getpid())
	if err != nil {
		t.Skip("this process has no cgroup v2 path: ", err)
	}
	want, err := cgroup.IDOf(filepath.Join(root, self))
	if err != nil {
		t.Skip("cannot stat this process's cgroup (a cgroup namespace?): ", err)
	}
	p := openPair(t, "tcp4", "127.0.0.1:0")
	src, err := New()
	if err != nil {
		t.Skip("no sock_diag here: ", err)
	}
	defer src.Close()
	snap, err := src.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// By the whole 4-tuple: other programs' TIME_WAIT sockets may share
	// the listener's port (a listener may bind over them), and have no
	// cgroup.
	lnAddr, cAddr := addrPort(p.ln.Addr()), addrPort(p.client.LocalAddr())
	ours := func(s *sampler.Socket) bool {
		switch {
		case s.State == sampler.StateListen:
			return s.Local == lnAddr
		case s.Local == lnAddr:
			return s.Remote == cAddr
		case s.Local == cAddr:
			return s.Remote == lnAddr
		}
		return false
	}
	found := 0
	for i := range snap.Sockets {
		if s := &snap.Sockets[i]; ours(s) {
			found++
			if s.CgroupID != want {
				t.Errorf("%v %v: cgroup id %d, want %d (the inode of %s)", s.State, s.Local, s.CgroupID, want, self)
			}
		}
	}
	if found != 3 { // the listener, the accepted socket (same local address) and the client
		t.Fatalf("found %d of the test's 3 sockets", found)
	}
}
