package sockdiag

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// Closing a connection (SOCK_DESTROY, as ss -K): the request the kernel
// gets and how its answer reads, on any OS.

func TestDestroyRequestNamesTheExactSocket(t *testing.T) {
	s := sampler.Socket{ID: sampler.ID{Cookie: 0x1122334455667788, Proto: sampler.TCP,
		Local: netip.MustParseAddrPort("127.0.0.1:40000"), Remote: netip.MustParseAddrPort("127.0.0.1:9000")}}
	req, err := appendDestroy(nil, 7, &s)
	if err != nil {
		t.Fatal(err)
	}
	if got := order.Uint16(req[4:6]); got != sockDestroy {
		t.Errorf("type %d, want SOCK_DESTROY (21)", got)
	}
	if got := order.Uint16(req[6:8]); got != nlmFRequest|nlmFAck {
		t.Errorf("flags %#x, want request|ack (a dump flag would close nothing)", got)
	}
	r := req[nlmsgHdrLen:]
	if r[0] != afInet || r[1] != ipprotoTCP {
		t.Errorf("family %d protocol %d, want AF_INET TCP", r[0], r[1])
	}
	id := r[8 : 8+sockIDLen]
	if binary.BigEndian.Uint16(id[0:2]) != 40000 || binary.BigEndian.Uint16(id[2:4]) != 9000 {
		t.Errorf("ports %d -> %d", binary.BigEndian.Uint16(id[0:2]), binary.BigEndian.Uint16(id[2:4]))
	}
	if c := uint64(order.Uint32(id[40:44])) | uint64(order.Uint32(id[44:48]))<<32; c != s.Cookie {
		t.Errorf("cookie %#x, want %#x: without it a socket reusing the addresses could be closed", c, s.Cookie)
	}

	// No cookie known (gopsutil): the kernel matches on addresses alone.
	s.Cookie = 0
	s.Local = netip.MustParseAddrPort("[::1]:40000")
	s.Remote = netip.MustParseAddrPort("[::1]:9000")
	req, _ = appendDestroy(nil, 8, &s)
	r = req[nlmsgHdrLen:]
	if r[0] != afInet6 || order.Uint32(r[8+40:8+44]) != 0xffffffff || order.Uint32(r[8+44:8+48]) != 0xffffffff {
		t.Errorf("IPv6 without cookie: family %d cookie words %#x %#x", r[0], order.Uint32(r[8+40:8+44]), order.Uint32(r[8+44:8+48]))
	}

	s.Proto = 0
	if _, err := appendDestroy(nil, 9, &s); err == nil {
		t.Error("a socket of no protocol made a request")
	}
}

func TestDestroyAnswerInUsersWords(t *testing.T) {
	ack := func(seq uint32, errno int32) []byte {
		b := make([]byte, nlmsgHdrLen+4+nlmsgHdrLen)
		order.PutUint32(b[0:4], uint32(len(b)))
		order.PutUint16(b[4:6], nlmsgError)
		order.PutUint32(b[8:12], seq)
		order.PutUint32(b[16:20], uint32(-errno))
		return b
	}
	for _, tc := range []struct {
		errno int32
		want  string // "" for success
	}{
		{0, ""},
		{1, "needs root"},
		{2, "already gone"},
		{95, "CONFIG_INET_DIAG_DESTROY"},
		{22, "errno 22"},
	} {
		errno, err := parseAck(ack(5, tc.errno), 5)
		if err != nil || errno != tc.errno {
			t.Fatalf("ack of %d read as %d, %v", tc.errno, errno, err)
		}
		got := destroyError(errno)
		if tc.want == "" && got != nil || tc.want != "" && (got == nil || !strings.Contains(got.Error(), tc.want)) {
			t.Errorf("errno %d: %v, want %q", tc.errno, got, tc.want)
		}
	}
	if _, err := parseAck(ack(4, 0), 5); err == nil {
		t.Error("an answer to another request was taken")
	}
	if _, err := parseAck([]byte{1, 2, 3}, 5); err == nil {
		t.Error("a cut reply was taken")
	}
}
