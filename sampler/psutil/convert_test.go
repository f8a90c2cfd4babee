package psutil

import (
	"net/netip"
	"strings"
	"syscall"
	"testing"

	"github.com/porttop/porttop/sampler"
	gnet "github.com/shirou/gopsutil/v3/net"
)

func TestToSocket(t *testing.T) {
	cases := []struct {
		name  string
		row   gnet.ConnectionStat
		proto sampler.Proto
		want  sampler.Socket
		err   string
	}{
		{
			name:  "established v4 with owner",
			row:   gnet.ConnectionStat{Family: syscall.AF_INET, Laddr: gnet.Addr{IP: "127.0.0.1", Port: 40000}, Raddr: gnet.Addr{IP: "127.0.0.1", Port: 80}, Status: "ESTABLISHED", Pid: 42, Uids: []int32{1000, 1000, 1000, 1000}},
			proto: sampler.TCP,
			want:  sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: ap("127.0.0.1:40000"), Remote: ap("127.0.0.1:80")}, State: sampler.StateEstablished, Owner: sampler.Owner{PID: 42, UID: 1000}},
		},
		{
			name:  "dual-stack reported as family 6 is unmapped",
			row:   gnet.ConnectionStat{Family: syscall.AF_INET6, Laddr: gnet.Addr{IP: "::ffff:127.0.0.1", Port: 8080}, Raddr: gnet.Addr{IP: "::ffff:127.0.0.1", Port: 50000}, Status: "TIME_WAIT"},
			proto: sampler.TCP,
			want:  sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: ap("127.0.0.1:8080"), Remote: ap("127.0.0.1:50000")}, State: sampler.StateTimeWait, Owner: sampler.Owner{UID: -1}},
		},
		{
			name:  "family 6 row with a plain IPv4 address",
			row:   gnet.ConnectionStat{Family: syscall.AF_INET6, Laddr: gnet.Addr{IP: "127.0.0.1", Port: 8080}, Raddr: gnet.Addr{IP: "127.0.0.1", Port: 50000}, Status: "CLOSE_WAIT"},
			proto: sampler.TCP,
			want:  sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: ap("127.0.0.1:8080"), Remote: ap("127.0.0.1:50000")}, State: sampler.StateCloseWait, Owner: sampler.Owner{UID: -1}},
		},
		{
			name:  "v6 listener with empty remote",
			row:   gnet.ConnectionStat{Family: syscall.AF_INET6, Laddr: gnet.Addr{IP: "::", Port: 22}, Status: "LISTEN", Pid: 1},
			proto: sampler.TCP,
			want:  sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: ap("[::]:22"), Remote: ap("[::]:0")}, State: sampler.StateListen, Owner: sampler.Owner{PID: 1, UID: -1}},
		},
		{
			name:  "udp has no state whatever the status says",
			row:   gnet.ConnectionStat{Family: syscall.AF_INET, Laddr: gnet.Addr{IP: "0.0.0.0", Port: 53}, Raddr: gnet.Addr{IP: "0.0.0.0", Port: 0}, Status: "NONE"},
			proto: sampler.UDP,
			want:  sampler.Socket{ID: sampler.ID{Proto: sampler.UDP, Local: ap("0.0.0.0:53"), Remote: ap("0.0.0.0:0")}, Owner: sampler.Owner{UID: -1}},
		},
		{
			name:  "lsof star address takes the family of the other end",
			row:   gnet.ConnectionStat{Family: syscall.AF_INET, Laddr: gnet.Addr{IP: "*", Port: 5353}, Raddr: gnet.Addr{IP: "::1", Port: 9}, Status: ""},
			proto: sampler.UDP,
			want:  sampler.Socket{ID: sampler.ID{Proto: sampler.UDP, Local: ap("[::]:5353"), Remote: ap("[::1]:9")}, Owner: sampler.Owner{UID: -1}},
		},
		{
			name:  "bracketed IPv6 and zone dropped",
			row:   gnet.ConnectionStat{Family: syscall.AF_INET6, Laddr: gnet.Addr{IP: "[fe80::1%lo]", Port: 1}, Raddr: gnet.Addr{IP: "::1", Port: 2}, Status: "SYN_RECEIVED"},
			proto: sampler.TCP,
			want:  sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: ap("[fe80::1]:1"), Remote: ap("[::1]:2")}, State: sampler.StateSynRecv, Owner: sampler.Owner{UID: -1}},
		},
		{
			name:  "windows spellings",
			row:   gnet.ConnectionStat{Family: syscall.AF_INET, Laddr: gnet.Addr{IP: "127.0.0.1", Port: 1}, Raddr: gnet.Addr{IP: "127.0.0.1", Port: 2}, Status: "FIN_WAIT_2"},
			proto: sampler.TCP,
			want:  sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: ap("127.0.0.1:1"), Remote: ap("127.0.0.1:2")}, State: sampler.StateFinWait2, Owner: sampler.Owner{UID: -1}},
		},
		{
			name:  "closed is CLOSE, not CLOSE_WAIT",
			row:   gnet.ConnectionStat{Family: syscall.AF_INET, Laddr: gnet.Addr{IP: "127.0.0.1", Port: 1}, Raddr: gnet.Addr{IP: "127.0.0.1", Port: 2}, Status: "CLOSED"},
			proto: sampler.TCP,
			want:  sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: ap("127.0.0.1:1"), Remote: ap("127.0.0.1:2")}, State: sampler.StateClose, Owner: sampler.Owner{UID: -1}},
		},
		{
			name:  "empty uids means unknown owner",
			row:   gnet.ConnectionStat{Family: syscall.AF_INET, Laddr: gnet.Addr{IP: "127.0.0.1", Port: 1}, Raddr: gnet.Addr{IP: "127.0.0.1", Port: 2}, Status: "LISTEN", Uids: []int32{}},
			proto: sampler.TCP,
			want:  sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: ap("127.0.0.1:1"), Remote: ap("127.0.0.1:2")}, State: sampler.StateListen, Owner: sampler.Owner{UID: -1}},
		},
		{
			name:  "unknown TCP state",
			row:   gnet.ConnectionStat{Laddr: gnet.Addr{IP: "127.0.0.1", Port: 1}, Raddr: gnet.Addr{IP: "127.0.0.1", Port: 2}, Status: "WOBBLY"},
			proto: sampler.TCP,
			err:   `unknown TCP state "WOBBLY"`,
		},
		{
			name:  "TCP without a state",
			row:   gnet.ConnectionStat{Laddr: gnet.Addr{IP: "127.0.0.1", Port: 1}, Raddr: gnet.Addr{IP: "127.0.0.1", Port: 2}, Status: ""},
			proto: sampler.TCP,
			err:   `unknown TCP state ""`,
		},
		{
			name:  "port out of range",
			row:   gnet.ConnectionStat{Laddr: gnet.Addr{IP: "127.0.0.1", Port: 70000}, Status: "LISTEN"},
			proto: sampler.TCP,
			err:   "local address: port 70000 out of range",
		},
		{
			name:  "garbage IP",
			row:   gnet.ConnectionStat{Laddr: gnet.Addr{IP: "127.0.0.1", Port: 1}, Raddr: gnet.Addr{IP: "not-an-ip", Port: 2}, Status: "LISTEN"},
			proto: sampler.TCP,
			err:   `remote address: bad IP "not-an-ip"`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := toSocket(c.row, c.proto)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestProtoOf(t *testing.T) {
	for typ, want := range map[uint32]sampler.Proto{syscall.SOCK_STREAM: sampler.TCP, syscall.SOCK_DGRAM: sampler.UDP} {
		if got, ok := protoOf(typ); !ok || got != want {
			t.Errorf("protoOf(%d) = %v %v, want %v", typ, got, ok, want)
		}
	}
	if _, ok := protoOf(syscall.SOCK_RAW); ok {
		t.Error("a raw socket is neither TCP nor UDP")
	}
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
