//go:build linux

package main

import (
	"strings"
	"testing"
)

// explain PORT searches every network namespace (as root, where auto reads
// them all) and says which one holds the port: there it is taken, in
// porttop's own it is free to bind.
func TestExplainSearchesEveryNamespace(t *testing.T) {
	name, _, ln := listenInNetns(t, "explain", 0, 0, "127.0.0.1:7779")
	r := runPorttop(t, "explain", "7779")
	text := strings.Join(strings.Fields(r.stdout), " ") // unwrapped
	if r.code != 0 || !strings.Contains(text, "held only in other network namespaces") || !strings.Contains(text, "in network namespace "+name) {
		t.Errorf("explain 7779 with a listener in %s: status %d, stdout:\n%s\nstderr %q", name, r.code, r.stdout, r.stderr)
	}
	ln.Close()
	r = runPorttop(t, "explain", "7779")
	text = strings.Join(strings.Fields(r.stdout), " ")
	if !strings.Contains(text, "port 7779 is free") || !strings.Contains(text, "network namespaces porttop read") {
		t.Errorf("explain 7779 after closing: stdout:\n%s", r.stdout)
	}
}
