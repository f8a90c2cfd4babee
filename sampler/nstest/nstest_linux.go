//go:build linux

// Package nstest makes real network namespaces and cgroups for tests, and
// removes them in t.Cleanup even when the test fails.
package nstest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler/cgroup"
)

// RequireRoot skips the test unless it runs as root with the ip tool.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: making network namespaces and cgroups (CI runs the suite as root too)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip tool (iproute2) to make network namespaces")
	}
}

// Run runs a command and fails the test with its output on error.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Netns makes a namespace named porttop-ns-<pid>-<suffix> with lo up and
// ip_local_port_range set to lo-hi (unless lo is 0); Cleanup deletes it.
func Netns(t testing.TB, suffix string, lo, hi int) string {
	t.Helper()
	name := fmt.Sprintf("porttop-ns-%d-%s", os.Getpid(), suffix)
	_ = exec.Command("ip", "netns", "del", name).Run() // left from a crashed run of this pid
	Run(t, "ip", "netns", "add", name)
	t.Cleanup(func() {
		if _, err := os.Stat("/run/netns/" + name); err != nil {
			return // deleted by the test
		}
		if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v %s", name, err, out)
		}
	})
	Run(t, "ip", "-n", name, "link", "set", "lo", "up")
	if lo != 0 {
		Run(t, "ip", "netns", "exec", name, "sysctl", "-q", "-w", fmt.Sprintf("net.ipv4.ip_local_port_range=%d %d", lo, hi))
	}
	return name
}

// Start starts a long-running command inside namespace ns (ip netns exec)
// and kills it in Cleanup.
func Start(t testing.TB, ns string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v in %s: %v", args, ns, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

// ContainerScope makes a cgroup v2 directory named like a docker
// container's scope (system.slice is not needed: it is made at the
// hierarchy's root, as docker-<64 hex>.scope) and returns its path and full
// id. Cleanup moves any process left in it back to the root and removes it.
// It skips without a writable cgroup2 mount.
func ContainerScope(t testing.TB) (dir, id string) {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Skip("no /proc/self/mountinfo: ", err)
	}
	root, err := cgroup.ParseMountinfo(f)
	f.Close()
	if err != nil {
		t.Skip("no cgroup v2 hierarchy on this host: ", err)
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	id = hex.EncodeToString(b[:])
	dir = filepath.Join(root, "docker-"+id+".scope")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skip("cannot make a cgroup under ", root, ": ", err)
	}
	t.Cleanup(func() {
		if procs, err := os.ReadFile(filepath.Join(dir, "cgroup.procs")); err == nil {
			for _, pid := range strings.Fields(string(procs)) {
				_ = os.WriteFile(filepath.Join(root, "cgroup.procs"), []byte(pid), 0)
			}
		}
		var err error
		for range 50 { // the kernel lets go of a killed task's cgroup shortly after
			if err = os.Remove(dir); err == nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Errorf("remove cgroup %s: %v", dir, err)
	})
	return dir, id
}

// MoveIn moves process pid into the cgroup dir.
func MoveIn(t testing.TB, dir string, pid int) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(fmt.Sprint(pid)), 0); err != nil {
		t.Fatalf("move pid %d into %s: %v", pid, dir, err)
	}
}
