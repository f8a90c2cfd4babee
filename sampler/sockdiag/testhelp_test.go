package sockdiag

import (
	"net/netip"
	"strings"
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

// tcpColumns splits the two Tcp lines of /proc/net/snmp text into names
// and values, found independently of the parsers under test.
func tcpColumns(raw []byte) (names, values []string) {
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "Tcp:") {
			if names == nil {
				names = strings.Fields(line)
			} else {
				values = strings.Fields(line)
			}
		}
	}
	return names, values
}
