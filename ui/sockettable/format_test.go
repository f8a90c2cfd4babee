package sockettable

import (
	"net/netip"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

func TestFormatAge(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0.0s"},
		{1200 * time.Millisecond, "1.2s"},
		{42 * time.Second, "42s"},
		{3*time.Minute + 4*time.Second, "3m04s"},
		{2*time.Hour + 5*time.Minute, "2h05m"},
		{76 * time.Hour, "3d04h"},
	}
	for _, tt := range tests {
		if got := FormatAge(tt.d); got != tt.want {
			t.Errorf("FormatAge(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestFormatAddr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0.0.0.0:0", "*"},
		{"0.0.0.0:53", "*:53"},
		{"[::]:22", "*:22"},
		{"[::1]:5432", "[::1]:5432"},
		{"10.0.0.5:41822", "10.0.0.5:41822"},
	}
	for _, tt := range tests {
		if got := FormatAddr(netip.MustParseAddrPort(tt.in)); got != tt.want {
			t.Errorf("FormatAddr(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := FormatAddr(netip.AddrPort{}); got != "*" {
		t.Errorf("no address: %q", got)
	}
}

func TestService(t *testing.T) {
	tests := []struct {
		name string
		s    sampler.Socket
		want string
	}{
		{"listening well-known", mk(sampler.TCP, "0.0.0.0:22", "", sampler.StateListen, 1, "sshd", 0), "ssh"},
		{"server side of a connection", mk(sampler.TCP, "10.0.0.5:22", "10.0.0.9:51234", sampler.StateEstablished, 1, "sshd", 0), "ssh"},
		{"client from a dynamic port", mk(sampler.TCP, "10.0.0.5:54112", "1.2.3.4:443", sampler.StateEstablished, 1, "curl", 0), "https"},
		// 41822 is in Linux's ephemeral range: a handed-out port, so the remote names it.
		{"client from an ephemeral registered port", mk(sampler.TCP, "10.0.0.5:41822", "1.2.3.4:443", sampler.StateEstablished, 1, "git", 0), "https"},
		{"listening registered port", mk(sampler.TCP, "0.0.0.0:5432", "", sampler.StateListen, 1, "postgres", 0), "postgresql"},
		// Both ends picked by the kernel: 32768 has an IANA name (filenet-tms) by coincidence.
		{"loopback between two ephemeral ports", mk(sampler.TCP, "127.0.0.1:36623", "127.0.0.1:32768", sampler.StateEstablished, 1, "", 0), ""},
		{"accepted on a listener inside the ephemeral range", mk(sampler.TCP, "127.0.0.1:36623", "10.0.0.9:51234", sampler.StateEstablished, 1, "", 0), ""},
		{"listener inside the ephemeral range keeps its name", mk(sampler.TCP, "0.0.0.0:32768", "", sampler.StateListen, 1, "", 0), "filenet-tms"},
		{"nothing known", mk(sampler.TCP, "10.0.0.5:61000", "1.2.3.4:61001", sampler.StateEstablished, 1, "", 0), ""},
	}
	for _, tt := range tests {
		if got := Service(&tt.s, linuxEphemeral); got != tt.want {
			t.Errorf("%s: Service = %q, want %q", tt.name, got, tt.want)
		}
	}
}
