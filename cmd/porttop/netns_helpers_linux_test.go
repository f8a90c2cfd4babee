//go:build linux

package main

import (
	"net"
	"testing"

	"github.com/porttop/porttop/sampler/netns"
	"github.com/porttop/porttop/sampler/nstest"
)

// listenInNetns makes an `ip netns` namespace (nstest.Netns: its range
// lo-hi when lo > 0, removed at cleanup) and a TCP listener on addr inside
// it, closed at cleanup. It returns the namespace's name and identity.
func listenInNetns(t *testing.T, suffix string, lo, hi int, addr string) (string, netns.NS, net.Listener) {
	t.Helper()
	nstest.RequireRoot(t)
	name := nstest.Netns(t, suffix, lo, hi)
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
	if n.Inode == 0 {
		t.Fatalf("namespace %s not discovered among %d", name, len(list))
	}
	var ln net.Listener
	if err := netns.Do(n, func() (err error) {
		ln, err = net.Listen("tcp4", addr)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return name, n, ln
}
