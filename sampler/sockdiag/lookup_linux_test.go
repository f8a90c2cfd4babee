//go:build linux

package sockdiag

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// A lookup by addresses finds a held loopback connection's two ends, IPv4
// and IPv6, as a dump lists them, cookies included, and says a
// connection that is gone is not found.
func TestLookupTCPFindsWhatADumpLists(t *testing.T) {
	c, err := Dial()
	if err != nil {
		t.Skip("no sock_diag here: ", err)
	}
	defer c.Close()
	var ls []Lookup
	for _, network := range []string{"tcp4", "tcp6"} {
		addr := map[string]string{"tcp4": "127.0.0.1:0", "tcp6": "[::1]:0"}[network]
		ln, err := net.Listen(network, addr)
		if err != nil {
			t.Skip(network, " unavailable: ", err)
		}
		defer ln.Close()
		cl, err := net.Dial(network, ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		sv, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer sv.Close()
		for _, conn := range []net.Conn{cl, sv} {
			ls = append(ls, Lookup{
				IPv6:   network == "tcp6",
				Local:  conn.LocalAddr().(*net.TCPAddr).AddrPort(),
				Remote: conn.RemoteAddr().(*net.TCPAddr).AddrPort(),
			})
		}
	}
	gone := Lookup{Local: netip.MustParseAddrPort("127.0.0.1:1"), Remote: netip.MustParseAddrPort("127.0.0.1:2")}
	ls = append(ls, gone)
	if err := LookupTCP(c, ls, time.Now()); err != nil {
		t.Fatal(err)
	}
	src, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	src.WithoutOwners()
	snap, err := src.Sample(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	dumped := map[sampler.ID]sampler.Socket{}
	for _, s := range snap.Sockets {
		dumped[s.ID] = s
	}
	for _, l := range ls[:len(ls)-1] {
		if !l.Found {
			t.Fatalf("%v -> %v not found", l.Local, l.Remote)
		}
		if l.Socket.Cookie == 0 {
			t.Fatalf("%v -> %v: no cookie", l.Local, l.Remote)
		}
		d, ok := dumped[l.Socket.ID]
		if !ok {
			t.Fatalf("%+v: no dumped socket with this ID", l.Socket.ID)
		}
		if d.State != l.Socket.State || d.Inode != l.Socket.Inode || d.UID != l.Socket.UID || d.CgroupID != l.Socket.CgroupID {
			t.Fatalf("lookup %+v, dump %+v", l.Socket, d)
		}
	}
	if ls[len(ls)-1].Found {
		t.Fatal("a connection that does not exist was found")
	}
}
