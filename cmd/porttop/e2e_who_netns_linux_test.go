//go:build linux

package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// `who` finds a listener inside an `ip netns` namespace, says which, and
// names its owner; a port free everywhere is still free.
func TestWhoSearchesEveryNamespace(t *testing.T) {
	name, _, ln := listenInNetns(t, "who", 0, 0, "127.0.0.1:7777")

	r := runPorttop(t, "who", "7777")
	if r.code != 0 {
		t.Fatalf("who 7777 with a listener in %s: status %d, stderr %q", name, r.code, r.stderr)
	}
	var mine []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if strings.HasSuffix(line, "netns="+name) {
			mine = append(mine, line)
		}
	}
	if len(mine) != 1 {
		t.Fatalf("want one line of %s's listener, got:\n%s", name, r.stdout)
	}
	f := strings.Fields(mine[0])
	if f[0] != "tcp" || f[1] != "127.0.0.1:7777" || f[3] != "LISTEN" || f[4] != strconv.Itoa(os.Getpid()) {
		t.Errorf("line %q, want tcp 127.0.0.1:7777 * LISTEN %d ... netns=%s", mine[0], os.Getpid(), name)
	}

	ln.Close()
	if r := runPorttop(t, "who", "7777"); r.code != 1 || !strings.Contains(r.stderr, "port 7777 is free") {
		t.Errorf("who 7777 after closing: status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
