//go:build linux

package sockdiag

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
)

// TestCaptureTestdata rewrites testdata/ from this kernel when
// SOCKDIAG_CAPTURE=1: raw dump replies, a destroy report, lookup replies and
// /proc/net/snmp, each with the facts the test knew independently of the
// parser (addresses from Go's net package, cookies from SO_COOKIE).
func TestCaptureTestdata(t *testing.T) {
	if os.Getenv("SOCKDIAG_CAPTURE") != "1" {
		t.Skip("set SOCKDIAG_CAPTURE=1 to recapture testdata from this kernel")
	}
	for _, tc := range []struct {
		name, network, addr string
		family              uint8
	}{{"tcp4", "tcp4", "127.0.0.1:0", afInet}, {"tcp6", "tcp6", "[::1]:0", afInet6}} {
		p := openPair(t, tc.network, tc.addr)
		raw := rawExchange(t, appendRequest(nil, 7, true, tc.family, ipprotoTCP, uint32(sampler.AllStates), nil, nil), 7, true)
		writeFile(t, "dump_"+tc.name+".bin", raw)
		var want []capturedSocket
		for _, c := range []*net.TCPConn{p.client, p.server} {
			cookie, inode := kernelIdentity(t, c)
			want = append(want, capturedSocket{addrPort(c.LocalAddr()).String(), addrPort(c.RemoteAddr()).String(), "ESTABLISHED", cookie, inode, uint32(os.Geteuid())})
		}
		want = append(want, capturedSocket{Local: addrPort(p.ln.Addr()).String(), Remote: remoteOfListener(tc.family), State: "LISTEN", UID: uint32(os.Geteuid())})
		writeJSON(t, "dump_"+tc.name+".json", want)
	}

	// A destroy report of a client socket whose server closed first, and
	// lookups: the server end (in TIME_WAIT) and the client end (gone).
	c, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetsockoptInt(unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, unix.SKNLGRP_INET_TCP_DESTROY); err != nil {
		t.Fatal(err)
	}
	p := openPair(t, "tcp4", "127.0.0.1:0")
	clientCookie, _ := kernelIdentity(t, p.client)
	serverCookie, _ := kernelIdentity(t, p.server)
	client := capturedSocket{Local: addrPort(p.client.LocalAddr()).String(), Remote: addrPort(p.client.RemoteAddr()).String(), State: "CLOSE", Cookie: clientCookie}
	server := capturedSocket{Local: addrPort(p.server.LocalAddr()).String(), Remote: addrPort(p.server.RemoteAddr()).String(), State: "TIME_WAIT", Cookie: serverCookie}
	p.server.Close()
	time.Sleep(50 * time.Millisecond)
	p.client.Close()
	buf := make([]byte, recvBufSize)
	deadline := time.Now().Add(2 * time.Second)
	_ = c.SetReadDeadline(deadline)
	var destroy []byte
	for destroy == nil {
		n, err := c.Recv(buf)
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := nextMsg(buf[:n])
		if err == nil && m.Type == sockDiagByFamily {
			d, err := parseDiagMsg(m.Payload)
			if err == nil && d.Cookie == clientCookie {
				destroy = append([]byte(nil), buf[:n]...)
			}
		}
	}
	writeFile(t, "destroy_tcp4.bin", destroy)
	writeJSON(t, "destroy_tcp4.json", client)

	id := make([]byte, sockIDLen)
	lookup := func(s capturedSocket, seq uint32) []byte {
		putSockID(id, mustAddrPort(t, s.Local), mustAddrPort(t, s.Remote), 0, s.Cookie)
		return rawExchange(t, appendRequest(nil, seq, false, afInet, ipprotoTCP, uint32(sampler.AllStates), id, nil), seq, false)
	}
	writeFile(t, "lookup_timewait.bin", lookup(server, 9))
	writeJSON(t, "lookup_timewait.json", server)
	writeFile(t, "lookup_gone.bin", lookup(client, 10))

	snmp, err := os.ReadFile("/proc/net/snmp")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, "snmp.txt", snmp)
}

func remoteOfListener(family uint8) string {
	if family == afInet {
		return "0.0.0.0:0"
	}
	return "[::]:0"
}

// rawExchange sends req and returns every datagram of the reply, concatenated
// (each holds whole messages, so the result parses as one stream).
func rawExchange(t *testing.T, req []byte, seq uint32, dump bool) []byte {
	t.Helper()
	c, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Send(req); err != nil {
		t.Fatal(err)
	}
	var out []byte
	buf := make([]byte, recvBufSize)
	for {
		n, err := c.Recv(buf)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, buf[:n]...)
		if !dump {
			return out
		}
		done, _, err := parseDump(buf[:n], seq, func(diagMsg) {})
		if err != nil {
			t.Fatal(err)
		}
		if done {
			return out
		}
	}
}

func writeFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join("testdata", name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, name, append(b, '\n'))
}
