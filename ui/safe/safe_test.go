package safe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTextEscapesWhatATerminalActsOn(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"nginx", "nginx"},
		{"café ✓ 端口", "café ✓ 端口"},
		{"\x1b]2;PWNED\x07\x1b[31m", `\x1b]2;PWNED\a\x1b[31m`},
		{"X\rY\tZ\nW", `X\rY\tZ\nW`},
		{"a\x00b\x7fc", `a\x00b\x7fc`},
		{"\u009b31m", `\u009b31m`},                         // C1 CSI as a rune
		{"\xff\xfe", `\xff\xfe`},                           // not UTF-8
		{"\xc2\x9b", `\u009b`},                             // C1 CSI, UTF-8 encoded
		{"evil\u202egnp.exe", `evil\u202egnp.exe`},         // right-to-left override
		{"a\u2066b\u2069\u2028c", `a\u2066b\u2069\u2028c`}, // isolates, line separator
		{"", ""},
	} {
		if got := Text(c.in); got != c.want {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
		}
		if Needs(c.in) != (c.in != c.want) {
			t.Errorf("Needs(%q) = %v", c.in, Needs(c.in))
		}
	}
}

// Whatever the input, the output is one line of printable characters.
func FuzzText(f *testing.F) {
	for _, s := range []string{"\x1b]52;c;aGk=\x07", "X\rY\tZ\nW", "\xc2\x9b", "ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Text(%q) = %q: not UTF-8", s, out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || unsafeRune(r) {
				t.Fatalf("Text(%q) = %q: holds %U", s, out, r)
			}
		}
		if !Needs(s) && out != s {
			t.Fatalf("Text(%q) changed text that needs nothing", s)
		}
	})
}

func TestFrameKeepsColoursAndNewlinesOnly(t *testing.T) {
	in := "\x1b[1;38;5;12mport\x1b[0m 80\n\x1b]0;title\x07 \x1b[2J\r\t\u009b"
	want := "\x1b[1;38;5;12mport\x1b[0m 80\n" + `\x1b]0;title\a \x1b[2J\r\t\u009b`
	if got := Frame(in); got != want {
		t.Errorf("Frame = %q, want %q", got, want)
	}
	plain := "\x1b[7m a \x1b[m\nb"
	if got := Frame(plain); got != plain {
		t.Errorf("Frame changed a clean frame: %q", got)
	}
}

func TestTextAllocatesNothingForCleanText(t *testing.T) {
	s := strings.Repeat("nginx-worker ", 4)
	if n := testing.AllocsPerRun(100, func() { _ = Text(s) }); n != 0 {
		t.Errorf("Text allocated %v times for clean text", n)
	}
}

func BenchmarkFrame(b *testing.B) {
	line := "\x1b[1m 443/tcp\x1b[0m 10.0.0.1:443 -> 10.0.0.2:51000 ESTABLISHED nginx 1234\n"
	s := strings.Repeat(line, 50)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Frame(s)
	}
}
