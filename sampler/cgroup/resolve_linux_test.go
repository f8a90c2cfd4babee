//go:build linux

package cgroup_test

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/porttop/porttop/sampler/cgroup"
	"github.com/porttop/porttop/sampler/nstest"
)

// A process moved into a container-named scope: its cgroup id (the
// directory's inode) resolves to the scope's path, both by handle and by
// the walk, and the path names the container.
func TestResolverFindsAContainerScope(t *testing.T) {
	nstest.RequireRoot(t)
	dir, id := nstest.ContainerScope(t)
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	nstest.MoveIn(t, dir, cmd.Process.Pid)

	r, err := cgroup.NewResolver()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	want := "/" + filepath.Base(dir)
	if got, err := cgroup.OfPID(cmd.Process.Pid); err != nil || got != want {
		t.Fatalf("OfPID = %q, %v; want %q", got, err, want)
	}
	cid, err := cgroup.IDOf(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := r.Path(cid); !ok || got != want {
		t.Fatalf("Path(%d) = %q, %v; want %q", cid, got, ok, want)
	}
	w := cgroup.Parse(want)
	if w.Container != id[:12] || w.Runtime != "docker" {
		t.Fatalf("workload %+v, want docker %s", w, id[:12])
	}

	// The walk, as where open_by_handle_at is not permitted.
	walker, err := cgroup.NewWalkingResolver(r.Root())
	if err != nil {
		t.Fatal(err)
	}
	defer walker.Close()
	if got, ok := walker.Path(cid); !ok || got != want {
		t.Fatalf("walking Path(%d) = %q, %v; want %q", cid, got, ok, want)
	}
	if got, ok := walker.Path(1<<62 + 12345); ok {
		t.Fatalf("an id that is no cgroup resolved to %q", got)
	}
}
