//go:build linux

package main

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler/netns"
)

// The live view in a real terminal, as root (where auto reads every
// namespace): N cycles the churn panel and the map to an `ip netns`
// namespace with a range of its own (20000-20099, outside the host's), and
// there they count its three connections against its 100 ports.
func TestChurnAndMapPerNamespaceInTmux(t *testing.T) {
	name, n, ln := listenInNetns(t, "nsview", 20000, 20099, "127.0.0.1:7781")
	for range 3 {
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
	m.start("--interval", "200ms")
	m.waitText("porttop", "PROTO")
	m.keys("porttop", "c")
	m.waitText("porttop", "all netns: top destinations")
	// Other tests' namespaces may come and go: press N until ours is shown.
	label := "netns " + name
	found := false
	for range 40 {
		m.keys("porttop", "N")
		if m.seen("porttop", 1500*time.Millisecond, func(s string) bool { return strings.Contains(s, label+": top destinations") }) {
			found = true
			break
		}
	}
	if !found {
		t.Fatalf("N never showed %s; last screen:\n%s", label, m.capture("porttop"))
	}
	screen := m.waitText("porttop", "OS ephemeral range 20000-20099 (100 ports)")
	for _, want := range []string{"tcp 127.0.0.1:7781", "3/100 in use"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the panel of %s lacks %q:\n%s", name, want, screen)
		}
	}
	m.keys("porttop", "m")
	screen = m.waitText("porttop", label+": ports ")
	if !strings.Contains(screen, "OS ephemeral 20000-20099") {
		t.Errorf("the map of %s is not tinted by its range:\n%s", name, screen)
	}
	m.keys("porttop", "q")
	m.waitText("porttop", exitMarker+"0")
}
