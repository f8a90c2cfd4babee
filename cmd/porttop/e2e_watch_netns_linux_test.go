//go:build linux

package main

import (
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler/netns"
)

// watch --source netns streams a listener and a connection made inside an
// ip netns namespace, each line naming the namespace and the cgroup.
func TestWatchNetnsFields(t *testing.T) {
	name, n, _ := listenInNetns(t, "watch", 0, 0, "127.0.0.1:7777")

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

// A connection's local port inside a namespace whose ip_local_port_range
// lies outside the host's is judged against the namespace's range: watch
// names that range in a line of its own, then reports os_ephemeral true.
func TestWatchJudgesEachNamespaceByItsRange(t *testing.T) {
	name, n, _ := listenInNetns(t, "wrange", 61000, 61999, "127.0.0.1:7778")

	s := startPorttop(t, "watch", "--source", "netns", "--port", "7778", "--interval", "100ms")
	time.Sleep(300 * time.Millisecond) // past the first sample: the client is no existing socket
	var client net.Conn
	if err := netns.Do(n, func() (err error) {
		client, err = net.Dial("tcp4", "127.0.0.1:7778")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	cport := client.LocalAddr().(*net.TCPAddr).Port
	if cport < 61000 || cport > 61999 {
		t.Fatalf("client port %d outside the namespace's range 61000-61999", cport)
	}
	type line struct {
		Event, Local string
		Range        *[2]uint16 `json:"netns_ephemeral_range"`
		Netns        uint64     `json:"netns"`
		NetnsName    string     `json:"netns_name"`
		OSEphemeral  bool       `json:"os_ephemeral"`
	}
	named := false
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		raw := s.next(time.Until(deadline))
		if strings.Contains(raw, `"porttop":`) {
			continue // the header
		}
		var l line
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("line is not JSON: %v\n%s", err, raw)
		}
		if l.Event == "" && l.Range != nil && l.Netns == n.Inode {
			named = l.NetnsName == name && *l.Range == [2]uint16{61000, 61999}
			if !named {
				t.Errorf("range line %s: want %s's range 61000-61999", raw, name)
			}
			continue
		}
		if l.Event != "open" || l.Local != "127.0.0.1:"+strconv.Itoa(cport) {
			continue
		}
		if !named {
			t.Errorf("the client's open came before a range line naming %s", name)
		}
		if !l.OSEphemeral {
			t.Errorf("line %s: a port of the namespace's range, want os_ephemeral true", raw)
		}
		if err := s.stop(); err != nil {
			t.Errorf("porttop watch after SIGTERM: %v; stderr:\n%s", err, s.stderr)
		}
		return
	}
	t.Fatalf("no open of the client %d within %v", cport, wait)
}
