//go:build linux

package main

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler/netns"
	"github.com/porttop/porttop/sampler/nstest"
)

// watch --source netns streams a listener and a connection made inside an
// ip netns namespace, each line naming the namespace and the cgroup.
func TestWatchNetnsFields(t *testing.T) {
	nstest.RequireRoot(t)
	name := nstest.Netns(t, "watch", 0, 0)
	list, err := netns.Discover()
	if err != nil {
		t.Fatal(err)
	}
	var n netns.NS
	for _, x := range list {
		if x.Name == name {
			n = x
		}
	}
	var ln net.Listener
	if err := netns.Do(n, func() (err error) {
		ln, err = net.Listen("tcp4", "127.0.0.1:7777")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	s := startPorttop(t, "watch", "--source", "netns", "--port", "7777", "--interval", "100ms")
	type placeLine struct {
		Event, Local, State string
		Netns               uint64 `json:"netns"`
		NetnsName           string `json:"netns_name"`
		Cgroup              string `json:"cgroup"`
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		raw := s.next(time.Until(deadline))
		if strings.Contains(raw, `"porttop":`) {
			continue // the header
		}
		var l placeLine
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("line is not JSON: %v\n%s", err, raw)
		}
		if l.Event != "open" || l.Local != "127.0.0.1:7777" || l.State != "LISTEN" {
			continue
		}
		if l.Netns != n.Inode || l.NetnsName != name || !strings.HasPrefix(l.Cgroup, "/") {
			t.Errorf("line %s: want netns %d, netns_name %q and a cgroup path", raw, n.Inode, name)
		}
		if err := s.stop(); err != nil {
			t.Errorf("porttop watch after SIGTERM: %v; stderr:\n%s", err, s.stderr)
		}
		return
	}
	t.Fatalf("no open of %s's listener within %v", name, wait)
}
