package sampler

import (
	"net/netip"
	"testing"
)

func TestUsesPort(t *testing.T) {
	ap := netip.MustParseAddrPort
	listener := Socket{ID: ID{Proto: TCP, Local: ap("127.0.0.1:8080"), Remote: ap("0.0.0.0:0")}, State: StateListen}
	client := Socket{ID: ID{Proto: TCP, Local: ap("127.0.0.1:40000"), Remote: ap("127.0.0.1:8080")}, State: StateEstablished}
	unbound := Socket{ID: ID{Proto: TCP, Local: ap("0.0.0.0:0")}, State: StateClose}
	cases := []struct {
		name string
		s    Socket
		port uint16
		want bool
	}{
		{"listener's own port", listener, 8080, true},
		{"listener's empty remote end is not port 0", listener, 0, false},
		{"client's local port", client, 40000, true},
		{"client's remote port", client, 8080, true},
		{"another port", client, 8081, false},
		{"an unbound socket holds no port 0", unbound, 0, false},
	}
	for _, c := range cases {
		if got := c.s.UsesPort(c.port); got != c.want {
			t.Errorf("%s: UsesPort(%d) = %v, want %v", c.name, c.port, got, c.want)
		}
	}
}
