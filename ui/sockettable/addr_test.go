package sockettable

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestShortenAddrKeepsThePort(t *testing.T) {
	tests := []struct {
		in   string
		w    int
		want string
	}{
		{"127.0.0.1:8765", 14, "127.0.0.1:8765"},
		{"127.0.0.1:8765", 20, "127.0.0.1:8765"},
		{"127.0.0.1:8765", 12, "127…0.1:8765"},
		{"127.0.0.1:8765", 11, "12…0.1:8765"},
		{"127.0.0.53:53", 12, "127.…0.53:53"},
		{"10.0.0.5:41822", 11, "10….5:41822"},
		{"[::1]:5432", 12, "[::1]:5432"},
		{"[2001:db8::1234:5678]:443", 11, "[20…78]:443"},
		{"[2001:db8::1234:5678]:65535", 11, "[2…8]:65535"},
		{"[2001:db8::1234:5678]:65535", 9, "2…8:65535"},
		{"[fe80::1%eth0]:22", 12, "[fe8…th0]:22"},
		{"*:53", 11, "*:53"},
		{"*", 11, "*"},
	}
	for _, tt := range tests {
		got := shortenAddr(tt.in, tt.w)
		if got != tt.want {
			t.Errorf("shortenAddr(%q, %d) = %q, want %q", tt.in, tt.w, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > tt.w {
			t.Errorf("shortenAddr(%q, %d) = %q: %d cells", tt.in, tt.w, got, n)
		}
		if i := strings.LastIndexByte(tt.in, ':'); i >= 0 && !strings.HasSuffix(got, tt.in[i:]) {
			t.Errorf("shortenAddr(%q, %d) = %q cut the port", tt.in, tt.w, got)
		}
	}
}
