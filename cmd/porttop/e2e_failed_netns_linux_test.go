//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler/nstest"
)

// TestWatchNamesTheNamespaceOfFailedConnects: porttop watches every
// namespace from the host (auto as root: the ebpf source over every
// namespace); a client in an `ip netns` namespace of five ephemeral ports
// connects until connect() fails. Its connect_failed lines name the
// namespace: netns (its inode) and netns_name.
func TestWatchNamesTheNamespaceOfFailedConnects(t *testing.T) {
	nstest.RequireRoot(t)
	name := nstest.Netns(t, "failns", 40000, 40004)
	var st syscall.Stat_t
	if err := syscall.Stat("/run/netns/"+name, &st); err != nil {
		t.Fatal(err)
	}
	s := startPorttop(t, "watch", "--interval", "100ms")
	if line := s.next(wait); !strings.Contains(line, `"source":"ebpf"`) {
		t.Skipf("the ebpf source does not load here (header %s): it alone sees failed connects", line)
	}
	// Once porttop reads the namespace (its range line), it knows its name.
	deadline := time.Now().Add(wait)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("no range line of namespace %s within %v", name, wait)
		}
		if l := s.next(time.Until(deadline)); strings.Contains(l, `"netns_ephemeral_range"`) && strings.Contains(l, `"netns_name":"`+name+`"`) {
			break
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	client := exec.Command("ip", "netns", "exec", name, self)
	client.Env = append(os.Environ(), testChild+"=exhaust-connects")
	out, err := client.Output()
	if err != nil {
		t.Fatalf("client in %s: %v (%s)", name, err, out)
	}
	var pid, connects int
	var comm string
	if _, err := fmt.Sscanf(string(out), "pid=%d comm=%s connect=%d", &pid, &comm, &connects); err != nil || connects == 0 {
		t.Fatalf("client said %q (%v): no connect failed", out, err)
	}
	type body struct {
		Count     int    `json:"count"`
		PID       int    `json:"pid"`
		Address   string `json:"address"`
		Netns     uint64 `json:"netns"`
		NetnsName string `json:"netns_name"`
	}
	got := 0
	for got < connects && time.Now().Before(deadline) {
		line := s.next(time.Until(deadline))
		var l struct {
			Connect *body `json:"connect_failed"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil || l.Connect == nil || l.Connect.PID != pid {
			continue
		}
		if l.Connect.Netns != st.Ino || l.Connect.NetnsName != name {
			t.Errorf("line %s: want netns %d, netns_name %q", line, st.Ino, name)
		}
		got += l.Connect.Count
	}
	if got != connects {
		t.Errorf("porttop counted %d failed connects in %s, the client saw %d", got, name, connects)
	}
	if err := s.stop(); err != nil {
		t.Errorf("porttop: %v; stderr:\n%s", err, s.stderr)
	}
}
