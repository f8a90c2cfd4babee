//go:build linux

package main

import (
	"encoding/json"
	"errors"
	"net"
	"regexp"
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

// The live view in a real terminal (NO_COLOR), as root: ten connections in
// an `ip netns` namespace whose range is 10 ports (20000-20009, outside
// the host's) fill it. The table marks their local ports e, by their
// namespace's range, and the accepted sides on the listener's port not.
func TestTableMarksNamespacePortsByItsRangeInTmux(t *testing.T) {
	_, n, ln := listenInNetns(t, "emark", 20000, 20009, "127.0.0.1:19998")
	for range 10 {
		var c net.Conn
		if err := netns.Do(n, func() (err error) {
			c, err = net.Dial("tcp4", ln.Addr().String())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	m := newTmux(t)
	m.start("--port", "19998", "--interval", "200ms")
	client := regexp.MustCompile(`(?m)^..(.) tcp\s+127\.0\.0\.1:2000\d\s+127\.0\.0\.1:19998 `)
	accepted := regexp.MustCompile(`(?m)^..(.) tcp\s+127\.0\.0\.1:19998\s+127\.0\.0\.1:2000\d `)
	// The focused sampling (--port) comes first: its rows are judged by
	// its own batch's ranges, before the machine-wide sample comes.
	// The header's warnings can leave room for fewer than all 20 rows.
	screen := m.waitFor("porttop", "5 of the clients' and 5 of the accepted rows", func(s string) bool {
		return len(client.FindAllString(s, -1)) >= 5 && len(accepted.FindAllString(s, -1)) >= 5
	})
	for _, r := range client.FindAllStringSubmatch(screen, -1) {
		if r[1] != "e" {
			t.Errorf("a client port of the namespace's range is not marked e: %q", r[0])
		}
	}
	for _, r := range accepted.FindAllStringSubmatch(screen, -1) {
		if r[1] != " " {
			t.Errorf("the listener's port is marked as ephemeral: %q", r[0])
		}
	}
	if t.Failed() {
		t.Logf("screen:\n%s", screen)
	}
	m.keys("porttop", "q")
	m.waitText("porttop", exitMarker+"0")
}
