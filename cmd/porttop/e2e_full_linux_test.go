package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fullNetnsEnv marks the test binary run again inside the namespace.
const fullNetnsEnv = "PORTTOP_TEST_FULL_NETNS"

// In a network namespace of its own, the ephemeral range is narrowed to 10
// ports and a client connects to a loopback listener until connect() fails
// with EADDRNOTAVAIL, as an SRE's looping client did. `watch`'s stats lines
// say why: the range is full for that destination.
func TestWatchStatsSayRangeFullForDestination(t *testing.T) {
	if os.Getenv(fullNetnsEnv) == "" {
		if os.Geteuid() != 0 {
			t.Skip("needs root: it narrows the ephemeral range in a network namespace it makes (ip netns add)")
		}
		ip, err := exec.LookPath("ip")
		if err != nil {
			t.Skip("needs the ip command (iproute2) to make a network namespace")
		}
		name := fmt.Sprintf("porttop-view-full-%d", os.Getpid())
		if out, err := exec.Command(ip, "netns", "add", name).CombinedOutput(); err != nil {
			t.Fatalf("ip netns add %s: %v: %s", name, err, out)
		}
		t.Cleanup(func() { _ = exec.Command(ip, "netns", "delete", name).Run() })
		cmd := exec.Command(ip, "netns", "exec", name, os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), fullNetnsEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS") {
			t.Fatalf("in namespace %s: %v\n%s", name, err, out)
		}
		return
	}
	if out, err := exec.Command("ip", "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("ip link set lo up: %v: %s", err, out)
	}
	if err := os.WriteFile("/proc/sys/net/ipv4/ip_local_port_range", []byte("60000 60009"), 0o644); err != nil {
		t.Fatalf("narrowing the range in the namespace: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:59999") // outside the range: all 10 ports for the client
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	failed := 0
	for range 20 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if errors.Is(err, syscall.EADDRNOTAVAIL) {
			failed++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	if len(conns) != 10 || failed != 10 {
		t.Fatalf("%d connects took a port and %d failed; want 10 and 10", len(conns), failed)
	}
	s := startPorttop(t, "watch", "--interval", "100ms", "--stats", "200ms")
	want := "tcp " + ln.Addr().String()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		var l struct {
			Stats *struct {
				Full []string `json:"full_destinations"`
			} `json:"stats"`
		}
		raw := s.next(time.Until(deadline))
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, raw)
		}
		if l.Stats == nil {
			continue
		}
		if !slices.Equal(l.Stats.Full, []string{want}) {
			t.Fatalf("stats line %s: full_destinations %q, want [%q]", raw, l.Stats.Full, want)
		}
		return
	}
	t.Fatalf("no stats line within %v", wait)
}
