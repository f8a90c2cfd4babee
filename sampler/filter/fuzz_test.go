package filter

import (
	"reflect"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"", "60716", "49152-65535", "22,80,443", "port:22", ":22", "pid:1234",
		"proc:nginx", "nginx", "tcp udp listen time-wait", "well-known registered dynamic ephemeral",
		"70000", "9-3", "pid:x", "host:80", "TIME_WAIT", "1-2-3", "::1", "PROC:A:B",
		"!time-wait", "127.0.0.1:8080", "[fe80::1%eth0]:22", "10.0.0.0/8", "::ffff:1.2.3.4", "uid:0 state:listen proto:udp",
		"10.0.0.0/99", "300.1.1.1", "[::1", "127.0.0.1:99999", "kworker/0", "fe80::1%eth0/64",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		flt, err := Parse(text, linuxEphemeral)
		if err != nil {
			if !flt.IsZero() {
				t.Errorf("Parse(%q) failed but returned a non-zero filter", text)
			}
			return
		}
		s := flt.String()
		back, err := Parse(s, linuxEphemeral)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not re-parse: %v", text, s, err)
		}
		if !reflect.DeepEqual(back, flt) {
			t.Fatalf("Parse(%q) = %+v, re-parsed from %q as %+v", text, flt, s, back)
		}
		for i := range allSockets {
			flt.Match(&allSockets[i])
		}
		_ = flt.Query()
		_, _ = flt.SinglePort()
	})
}
