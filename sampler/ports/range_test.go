package ports

import (
	"strings"
	"testing"
)

func TestClassOf(t *testing.T) {
	cases := []struct {
		port uint16
		want Class
		name string
	}{
		{0, WellKnown, "well-known"}, {22, WellKnown, "well-known"}, {1023, WellKnown, "well-known"},
		{1024, Registered, "registered"}, {49151, Registered, "registered"},
		{49152, Dynamic, "dynamic"}, {60716, Dynamic, "dynamic"}, {65535, Dynamic, "dynamic"},
	}
	for _, c := range cases {
		got := ClassOf(c.port)
		if got != c.want || got.String() != c.name || !got.Bounds().Contains(c.port) {
			t.Errorf("ClassOf(%d) = %v (%v), want %v", c.port, got, got.Bounds(), c.name)
		}
	}
	if (Class(0)).Bounds() != (Range{}) || Class(9).String() != "unknown" {
		t.Error("invalid class should have zero bounds and name unknown")
	}
	total := 0
	for _, c := range []Class{WellKnown, Registered, Dynamic} {
		total += c.Bounds().Size()
	}
	if total != 65536 {
		t.Errorf("classes cover %d ports, want 65536", total)
	}
}

func TestRangeBasics(t *testing.T) {
	r := Range{32768, 60999}
	if r.String() != "32768-60999" || r.Size() != 28232 {
		t.Errorf("got %q size %d", r.String(), r.Size())
	}
	if !r.Contains(32768) || !r.Contains(60999) || r.Contains(32767) || r.Contains(61000) {
		t.Error("Contains is wrong at the edges")
	}
	if (Range{80, 80}).String() != "80" || (Range{80, 80}).Size() != 1 {
		t.Error("single-port range")
	}
	if (Range{9, 3}).Size() != 0 {
		t.Error("backwards range should have size 0")
	}
}

func TestParseRange(t *testing.T) {
	ok := []struct {
		in   string
		want Range
	}{
		{"49152-65535", Range{49152, 65535}},
		{"80", Range{80, 80}},
		{" 0-0 ", Range{0, 0}},
		{"1024 - 2048", Range{1024, 2048}},
		{"65535", Range{65535, 65535}},
	}
	for _, c := range ok {
		got, err := ParseRange(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseRange(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		if back, err := ParseRange(got.String()); err != nil || back != got {
			t.Errorf("round trip of %v gave %v, %v", got, back, err)
		}
	}
	bad := []struct{ in, wantSub string }{
		{"70000", `port "70000" is out of range: ports are 0-65535`},
		{"abc", `port "abc" is not a number`},
		{"9-3", `range "9-3" is backwards`},
		{"9-3", "did you mean 3-9?"},
		{"", "empty port range"},
		{"-5", "needs a port on each side"},
		{"5-", "needs a port on each side"},
		{"1-70000", `port "70000" is out of range`},
		{"1-2-3", `port "2-3" is not a number`},
		{"99999999999999999999", "out of range"},
		{"-1", "needs a port on each side"},
	}
	for _, c := range bad {
		_, err := ParseRange(c.in)
		if err == nil || !strings.Contains(err.Error(), c.wantSub) {
			t.Errorf("ParseRange(%q) error = %v, want it to contain %q", c.in, err, c.wantSub)
		}
	}
}

func TestParsePort(t *testing.T) {
	if p, err := ParsePort("60716"); err != nil || p != 60716 {
		t.Errorf("ParsePort(60716) = %d, %v", p, err)
	}
	for in, want := range map[string]string{
		"70000": `port "70000" is out of range: ports are 0-65535`,
		"-1":    `port "-1" is out of range: ports are 0-65535`,
		"http":  `port "http" is not a number: ports are 0-65535`,
		"0x50":  `port "0x50" is not a number: ports are 0-65535`,
		" ":     `empty port: ports are 0-65535`,
		"+80":   `port "+80" has a sign: write it alone, like 80`,
		"-0":    `port "-0" is out of range: ports are 0-65535`,
	} {
		_, err := ParsePort(in)
		if err == nil || err.Error() != want {
			t.Errorf("ParsePort(%q) error = %v, want %q", in, err, want)
		}
	}
}

func TestKnown(t *testing.T) {
	for _, c := range []struct {
		r    Range
		want bool
	}{{Range{}, false}, {Range{Lo: 1, Hi: 0}, false}, {Range{Lo: 32768, Hi: 60999}, true}, {Range{Lo: 0, Hi: 10}, true}, {Range{Lo: 5, Hi: 5}, true}} {
		if got := c.r.Known(); got != c.want {
			t.Errorf("%+v.Known() = %v, want %v", c.r, got, c.want)
		}
	}
}
