//go:build linux

package main

import (
	"encoding/json"
	"errors"
	"net"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler/netns"
)

// An `ip netns` namespace with a range of its own of 10 ports
// (20000-20009, outside the host's): a client inside connects to a
// listener inside until connect() fails with EADDRNOTAVAIL. Watching every
// namespace from the host, `watch`'s stats line says the range is full
// for that destination, named with its namespace: judged by the
// namespace's own range, not the host's (which it holds no port of).
func TestWatchStatsFullInNamespaceByItsRange(t *testing.T) {
	name, n, ln := listenInNetns(t, "full", 20000, 20009, "127.0.0.1:19999")
	var conns []net.Conn
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	failed := 0
	if err := netns.Do(n, func() error {
		for range 20 {
			c, err := net.Dial("tcp4", ln.Addr().String())
			if errors.Is(err, syscall.EADDRNOTAVAIL) {
				failed++
				continue
			}
			if err != nil {
				return err
			}
			conns = append(conns, c)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(conns) != 10 || failed != 10 {
		t.Fatalf("in %s: %d connects took a port and %d failed; want 10 and 10", name, len(conns), failed)
	}
	s := startPorttop(t, "watch", "--source", "netns", "--interval", "100ms", "--stats", "200ms")
	want := "tcp " + ln.Addr().String() + " in netns " + name
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
		if !slices.Contains(l.Stats.Full, want) {
			t.Fatalf("stats line %s: full_destinations %q, want %q among them", raw, l.Stats.Full, want)
		}
		if err := s.stop(); err != nil {
			t.Errorf("porttop watch after SIGTERM: %v; stderr:\n%s", err, s.stderr)
		}
		return
	}
	t.Fatalf("no stats line within %v", wait)
}
