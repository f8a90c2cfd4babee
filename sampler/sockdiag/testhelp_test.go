package sockdiag

import (
	"net/netip"
	"testing"
)

func mustAddrPort(t testing.TB, s string) netip.AddrPort {
	t.Helper()
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		t.Fatal(err)
	}
	return ap
}

// capturedSocket is what a capture knew about a socket in it.
type capturedSocket struct {
	Local, Remote, State string
	Cookie, Inode        uint64
	UID                  uint32
}
