//go:build linux

package sockdiag

import (
	"os"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// inetDiagMark is INET_DIAG_MARK, a reply attribute sent only to a socket
// opened with CAP_NET_ADMIN.
const inetDiagMark = 15

// dumpAttrs dumps TCP over c and reports, for the record of the socket with
// the given cookie, whether it was found and whether it carried attribute typ.
func dumpAttrs(t *testing.T, c *conn, cookie uint64, typ uint16) (found, has bool) {
	t.Helper()
	const seq = 42
	if err := c.Send(appendTCPDump(nil, seq, uint32(sampler.AllStates), nil)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, recvBufSize)
	for {
		n, err := c.Recv(buf)
		if err != nil {
			t.Fatal(err)
		}
		for b := buf[:n]; len(b) > 0; {
			var m nlMsg
			if m, b, err = nextMsg(b); err != nil {
				t.Fatal(err)
			}
			switch {
			case m.Seq != seq:
			case m.Type == nlmsgDone:
				return found, has
			case m.Type == nlmsgError:
				t.Fatalf("dump refused: %x", m.Payload)
			case m.Type == tcpDiagGetSock:
				d, err := parseDiagMsg(m.Payload)
				if err != nil {
					t.Fatal(err)
				}
				if d.Cookie == cookie {
					_, ok := attrU8(m.Payload, typ)
					found, has = true, ok
				}
			}
		}
	}
}

func TestDumpSocketLeavesOutAdminOnlyAttributes(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: only a CAP_NET_ADMIN socket is sent the admin-only attributes")
	}
	p := openPair(t, "tcp4", "127.0.0.1:0")
	cookie, _ := kernelIdentity(t, p.client)

	plain, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if found, has := dumpAttrs(t, plain, cookie, inetDiagMark); !found || !has {
		t.Fatalf("plain socket: found %v, mark attribute %v; want both (is CAP_NET_ADMIN held?)", found, has)
	}
	c, err := dialDump()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if found, has := dumpAttrs(t, c, cookie, inetDiagMark); !found || has {
		t.Errorf("dump socket: found %v, mark attribute %v; want found without it", found, has)
	}
	// The process keeps the capability: a socket opened afterwards has it.
	again, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, has := dumpAttrs(t, again, cookie, inetDiagMark); !has {
		t.Error("a later plain socket lacks the mark attribute: the capability was lost process-wide")
	}
}
