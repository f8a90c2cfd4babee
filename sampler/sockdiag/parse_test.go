package sockdiag

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// linuxENOENT is ENOENT's number on Linux, where the captures were taken
// (syscall.ENOENT differs on other OSes).
const linuxENOENT = 2

func skipIfBigEndian(t testing.TB) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("testdata was captured on a little-endian host")
	}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readCaptured[T any](t testing.TB, name string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(readTestdata(t, name), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseDumpCaptured(t *testing.T) {
	skipIfBigEndian(t)
	for _, name := range []string{"tcp4", "tcp6"} {
		t.Run(name, func(t *testing.T) {
			raw := readTestdata(t, "dump_"+name+".bin")
			var got []diagMsg
			done, intr, err := parseDump(raw, 7, func(m diagMsg) { got = append(got, m) })
			if err != nil || !done || intr {
				t.Fatalf("parseDump: done %v intr %v err %v", done, intr, err)
			}
			for _, want := range readCaptured[[]capturedSocket](t, "dump_"+name+".json") {
				var hit *diagMsg
				for i := range got {
					if got[i].Local.String() == want.Local && got[i].Remote.String() == want.Remote {
						hit = &got[i]
					}
				}
				if hit == nil {
					t.Errorf("%s -> %s missing from %d parsed sockets", want.Local, want.Remote, len(got))
					continue
				}
				if st := sampler.State(hit.State).String(); st != want.State {
					t.Errorf("%s: state %s, want %s", want.Local, st, want.State)
				}
				if hit.UID != want.UID {
					t.Errorf("%s: uid %d, want %d", want.Local, hit.UID, want.UID)
				}
				if want.Cookie != 0 && (hit.Cookie != want.Cookie || uint64(hit.Inode) != want.Inode) {
					t.Errorf("%s: cookie/inode %d/%d, want %d/%d", want.Local, hit.Cookie, hit.Inode, want.Cookie, want.Inode)
				}
			}
			// Another sequence number is someone else's dump: nothing parsed.
			var other int
			done, _, err = parseDump(raw, 8, func(diagMsg) { other++ })
			if err != nil || done || other != 0 {
				t.Errorf("foreign seq: done %v err %v, %d sockets", done, err, other)
			}
		})
	}
}

// msg builds one netlink message.
func msg(typ, flags uint16, seq uint32, payload []byte) []byte {
	b := make([]byte, nlmsgHdrLen, align4(nlmsgHdrLen+len(payload)))
	order.PutUint32(b[0:4], uint32(nlmsgHdrLen+len(payload)))
	order.PutUint16(b[4:6], typ)
	order.PutUint16(b[6:8], flags)
	order.PutUint32(b[8:12], seq)
	b = append(b, payload...)
	return b[:align4(len(b))]
}

func errPayload(errno int32) []byte {
	return order.AppendUint32(nil, uint32(-errno))
}

func diagPayload(family uint8) []byte {
	p := make([]byte, diagMsgLen)
	p[0], p[1] = family, uint8(sampler.StateEstablished)
	return p
}

func TestParseDumpCases(t *testing.T) {
	okMsg := msg(sockDiagByFamily, nlmFMulti, 1, diagPayload(afInet))
	done := msg(nlmsgDone, nlmFMulti, 1, errPayload(0))
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tooLong := append([]byte(nil), okMsg...)
	order.PutUint32(tooLong[0:4], 4096)
	for _, tc := range []struct {
		name      string
		in        []byte
		n         int
		done      bool
		intr      bool
		errSubstr string
	}{
		{"one socket then done", cat(okMsg, done), 1, true, false, ""},
		{"no done yet", cat(okMsg, okMsg), 2, false, false, ""},
		{"empty done (old kernels)", cat(okMsg, msg(nlmsgDone, 0, 1, nil)), 1, true, false, ""},
		{"interrupted", cat(msg(sockDiagByFamily, nlmFMulti|nlmFDumpIntr, 1, diagPayload(afInet6)), done), 1, true, true, ""},
		{"error reply", msg(nlmsgError, 0, 1, errPayload(22)), 0, true, false, "sock_diag dump"},
		{"done with error", cat(okMsg, msg(nlmsgDone, 0, 1, errPayload(12))), 1, true, false, "sock_diag dump"},
		{"ack is not an error", cat(msg(nlmsgError, 0, 1, errPayload(0)), okMsg), 1, false, false, ""},
		{"short header", okMsg[:10], 0, false, false, "truncated netlink header"},
		{"length past buffer", tooLong, 0, false, false, "outside"},
		{"short diag msg", msg(sockDiagByFamily, 0, 1, diagPayload(afInet)[:30]), 0, false, false, "truncated inet_diag_msg"},
		{"bad family", msg(sockDiagByFamily, 0, 1, diagPayload(1)), 0, false, false, "address family"},
		{"short error", msg(nlmsgError, 0, 1, []byte{1}), 0, true, false, "truncated netlink error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n int
			done, intr, err := parseDump(tc.in, 1, func(diagMsg) { n++ })
			if tc.errSubstr == "" && err != nil || tc.errSubstr != "" && (err == nil || !strings.Contains(err.Error(), tc.errSubstr)) {
				t.Fatalf("err %v, want %q", err, tc.errSubstr)
			}
			if n != tc.n || done != tc.done || intr != tc.intr {
				t.Errorf("got %d sockets done %v intr %v, want %d %v %v", n, done, intr, tc.n, tc.done, tc.intr)
			}
		})
	}
}

func TestErrorReplyKeepsErrno(t *testing.T) {
	_, _, err := parseDump(msg(nlmsgError, 0, 1, errPayload(22)), 1, func(diagMsg) {})
	var errno syscall.Errno
	if !errors.As(err, &errno) || errno != 22 {
		t.Errorf("error %v does not carry errno 22", err)
	}
}

func TestParseReleaseCaptured(t *testing.T) {
	skipIfBigEndian(t)
	want := readCaptured[capturedSocket](t, "destroy_tcp4.json")
	m, _, err := nextMsg(readTestdata(t, "destroy_tcp4.bin"))
	if err != nil {
		t.Fatal(err)
	}
	r, ok := parseRelease(m, time.Time{})
	if !ok {
		t.Fatal("destroy report not recognised")
	}
	s := r.rel.Socket
	if s.Proto != sampler.TCP || s.Local.String() != want.Local || s.Remote.String() != want.Remote ||
		s.Cookie != want.Cookie || s.State.String() != want.State || s.UID != -1 {
		t.Errorf("release %+v, want %+v with unknown uid", s, want)
	}
	if r.family != afInet || r.protocol != ipprotoTCP {
		t.Errorf("family/protocol %d/%d", r.family, r.protocol)
	}
	// Without the protocol attribute the report cannot be placed.
	if _, ok := parseRelease(nlMsg{Type: sockDiagByFamily, Payload: m.Payload[:diagMsgLen]}, time.Time{}); ok {
		t.Error("report without INET_DIAG_PROTOCOL accepted")
	}
}

func TestLookupRepliesCaptured(t *testing.T) {
	skipIfBigEndian(t)
	want := readCaptured[capturedSocket](t, "lookup_timewait.json")
	m, _, err := nextMsg(readTestdata(t, "lookup_timewait.bin"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := parseDiagMsg(m.Payload)
	if err != nil || m.Seq != 9 || m.Type != sockDiagByFamily {
		t.Fatalf("lookup reply: type %d seq %d err %v", m.Type, m.Seq, err)
	}
	if sampler.State(d.State).String() != want.State || d.Cookie != want.Cookie || d.Local.String() != want.Local {
		t.Errorf("lookup found %+v, want %+v", d, want)
	}
	m, _, err = nextMsg(readTestdata(t, "lookup_gone.bin"))
	if err != nil {
		t.Fatal(err)
	}
	errno, err := errnoOf(m.Payload)
	if m.Type != nlmsgError || err != nil || errno != linuxENOENT {
		t.Errorf("gone socket: type %d errno %d err %v, want NLMSG_ERROR ENOENT", m.Type, errno, err)
	}
}

func TestAppendRequestLayout(t *testing.T) {
	id := make([]byte, sockIDLen)
	putSockID(id, mustAddrPort(t, "127.0.0.1:80"), mustAddrPort(t, "[::1]:443"), 3, 0x1122334455667788)
	bc := portFilter([]sampler.PortRange{{Lo: 80, Hi: 80}})
	req := appendRequest([]byte{0xaa}, 5, false, afInet6, ipprotoUDP, 0x1234, id, bc)[1:]
	m, rest, err := nextMsg(req)
	if err != nil || len(rest) != 0 {
		t.Fatalf("request does not parse as one message: %v, %d left", err, len(rest))
	}
	if m.Type != sockDiagByFamily || m.Flags != nlmFRequest || m.Seq != 5 {
		t.Errorf("header %+v", m)
	}
	p := m.Payload
	if p[0] != afInet6 || p[1] != ipprotoUDP || p[2] != 0 || order.Uint32(p[4:8]) != 0x1234 {
		t.Errorf("req_v2 head % x", p[:8])
	}
	if string(p[8:8+sockIDLen]) != string(id) {
		t.Error("socket id not copied")
	}
	a := p[reqV2Len:]
	if order.Uint16(a[0:2]) != uint16(nlaHdrLen+len(bc)) || order.Uint16(a[2:4]) != inetDiagReqBytecode || string(a[nlaHdrLen:]) != string(bc) {
		t.Errorf("bytecode attribute % x", a)
	}
	// The id round-trips through the reply parser's layout.
	reply := append([]byte{afInet, 1, 0, 0}, id...)
	reply = append(reply, make([]byte, 20)...)
	d, err := parseDiagMsg(reply)
	if err != nil || d.Local.String() != "127.0.0.1:80" || d.Cookie != 0x1122334455667788 || d.If != 3 {
		t.Errorf("round trip: %+v %v", d, err)
	}
	dump := appendRequest(nil, 1, true, afInet, ipprotoTCP, 1, nil, nil)
	if m, _, _ := nextMsg(dump); m.Flags != nlmFRequest|nlmFDump || len(m.Payload) != reqV2Len {
		t.Errorf("dump request %+v", m)
	}
}

func TestParseDiagMsgUnmapsV4InV6(t *testing.T) {
	p := diagPayload(afInet6)
	id := p[4:]
	binary.BigEndian.PutUint16(id[0:2], 8080)
	copy(id[4:20], []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1})
	d, err := parseDiagMsg(p)
	if err != nil || d.Local.String() != "127.0.0.1:8080" || !d.Local.Addr().Is4() {
		t.Errorf("mapped address: %v %v", d.Local, err)
	}
}

func TestAttrU8(t *testing.T) {
	p := diagPayload(afInet)
	p = append(p, 5, 0, 8, 0, 1, 0, 0, 0)   // INET_DIAG_SHUTDOWN = 1, padded
	p = append(p, 5, 0, 10, 0, 17, 0, 0, 0) // INET_DIAG_PROTOCOL = UDP
	if v, ok := attrU8(p, inetDiagProtocol); !ok || v != ipprotoUDP {
		t.Errorf("protocol attr: %d %v", v, ok)
	}
	if _, ok := attrU8(p, 99); ok {
		t.Error("found an absent attribute")
	}
	bad := append(diagPayload(afInet), 200, 0, 10, 0)
	if _, ok := attrU8(bad, inetDiagProtocol); ok {
		t.Error("attribute longer than the payload accepted")
	}
}

func TestAppendTCPDumpLayout(t *testing.T) {
	bc := portFilter([]sampler.PortRange{{Lo: 22, Hi: 22}})
	m, rest, err := nextMsg(appendTCPDump(nil, 3, 0x400, bc))
	if err != nil || len(rest) != 0 {
		t.Fatalf("does not parse as one message: %v", err)
	}
	if m.Type != tcpDiagGetSock || m.Flags != nlmFRequest|nlmFDump || m.Seq != 3 {
		t.Errorf("header %+v", m)
	}
	p := m.Payload
	// struct inet_diag_req: family 0 (both), no extensions, zero id, then
	// the state mask and idiag_dbs.
	if p[0] != 0 || p[3] != 0 || order.Uint32(p[4+sockIDLen:]) != 0x400 || order.Uint32(p[8+sockIDLen:]) != 0 {
		t.Errorf("inet_diag_req % x", p[:reqV1Len])
	}
	a := p[reqV1Len:]
	if order.Uint16(a[2:4]) != inetDiagReqBytecode || string(a[nlaHdrLen:]) != string(bc) {
		t.Errorf("bytecode attribute % x", a)
	}
}

func TestPutNoCookie(t *testing.T) {
	id := make([]byte, sockIDLen)
	putSockID(id, mustAddrPort(t, "127.0.0.1:1"), mustAddrPort(t, "127.0.0.1:2"), 0, 42)
	putNoCookie(id)
	reply := append(append([]byte{afInet, 1, 0, 0}, id...), make([]byte, 20)...)
	d, err := parseDiagMsg(reply)
	if err != nil || d.Cookie != 1<<64-1 || d.Remote.Port() != 2 {
		t.Errorf("cookie %#x err %v, want all ones with the addresses kept", d.Cookie, err)
	}
}

// An IPv6 listener's reply carries INET_DIAG_SKV6ONLY: 1 for one that takes
// IPv6 only, 0 for a dual-stack one; other sockets' replies do not.
func TestParseV6Only(t *testing.T) {
	withAttr := func(family, state, v6only uint8) []byte {
		p := diagPayload(family)
		p[1] = state
		attr := make([]byte, 8) // 4-byte header, 1-byte value, padded
		order.PutUint16(attr[0:2], 5)
		order.PutUint16(attr[2:4], inetDiagSkV6Only)
		attr[4] = v6only
		return append(p, attr...)
	}
	listen := uint8(sampler.StateListen)
	for _, c := range []struct {
		name    string
		payload []byte
		want    bool
	}{
		{"IPv6-only listener", withAttr(afInet6, listen, 1), true},
		{"dual-stack listener", withAttr(afInet6, listen, 0), false},
		{"IPv6 listener, no attribute", diagPayloadState(afInet6, listen), false},
		{"IPv4 listener", withAttr(afInet, listen, 1), false},
		{"IPv6 established", withAttr(afInet6, uint8(sampler.StateEstablished), 1), false},
	} {
		d, err := parseDiagMsg(c.payload)
		if err != nil || d.V6Only != c.want {
			t.Errorf("%s: V6Only %v err %v, want %v", c.name, d.V6Only, err, c.want)
		}
	}
}

func diagPayloadState(family, state uint8) []byte {
	p := diagPayload(family)
	p[1] = state
	return p
}
