// Package safe turns untrusted text (process and user names, host names,
// recordings, paths) into text that is safe to write to a terminal.
//
// Text escapes every character a terminal would act on rather than show:
// C0 controls (\x1b, \n, \r, \t...), DEL, C1 controls (\u009b...), invalid
// UTF-8 bytes, and the Unicode controls that reorder or break lines (bidi
// overrides and isolates, U+2028, U+2029). What comes out is one line of
// printable characters: a process named "\x1b]2;PWNED\x07" is shown as
// those nine characters, never run by the terminal.
//
// Frame is a backstop for a rendered screen: it keeps newlines and SGR
// sequences (colours, bold, reverse video: what lipgloss writes) and
// escapes every other control byte, so that text a view forgot to pass
// through Text still cannot move the cursor, set a title or write to the
// clipboard.
//
// A backslash is not escaped: "\x1b" in a name may have been those four
// characters. What matters here is that it cannot act on the terminal or
// split a line.
package safe

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text returns s with every character a terminal would act on replaced by
// a visible escape. Text that needs none is returned as it is, without
// allocating.
func Text(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	appendEscaped(&b, s[i:])
	return b.String()
}

// Needs reports whether Text would change s.
func Needs(s string) bool { return firstUnsafe(s) >= 0 }

// firstUnsafe is the index of the first character Text escapes, or -1.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			return i // C0 or DEL
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unsafeRune(r) {
			return i
		}
		i += n
	}
	return -1
}

// unsafeRune: a non-ASCII rune a terminal acts on (C1), or one that
// reorders or breaks the line around it.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls (CSI, OSC, ST as one rune)
		return true
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0x200e || r == 0x200f || r == 0x061c: // LRM, RLM, ALM
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	case r == 0xfeff: // zero-width no-break space (BOM)
		return true
	}
	return false
}

func appendEscaped(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			writeControl(b, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			writeHex(b, c) // a byte that is not UTF-8: shown as the byte
		case unsafeRune(r):
			b.WriteString(`\u`)
			h := strconv.FormatInt(int64(r), 16)
			b.WriteString(strings.Repeat("0", 4-len(h)))
			b.WriteString(h)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
}

// writeControl writes an ASCII control character as Go would quote it.
func writeControl(b *strings.Builder, c byte) {
	switch c {
	case '\a':
		b.WriteString(`\a`)
	case '\b':
		b.WriteString(`\b`)
	case '\f':
		b.WriteString(`\f`)
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	case '\t':
		b.WriteString(`\t`)
	case '\v':
		b.WriteString(`\v`)
	default:
		writeHex(b, c)
	}
}

func writeHex(b *strings.Builder, c byte) {
	const digits = "0123456789abcdef"
	b.WriteString(`\x`)
	b.WriteByte(digits[c>>4])
	b.WriteByte(digits[c&0xf])
}

// Lines is Text for text of several lines: each line is escaped, the
// newlines between them are kept.
func Lines(s string) string {
	if !Needs(strings.ReplaceAll(s, "\n", " ")) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Text(l)
	}
	return strings.Join(lines, "\n")
}
