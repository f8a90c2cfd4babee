package safe

import (
	"strings"
	"unicode/utf8"
)

// Frame returns a rendered screen with every control character escaped
// (see Text) except newlines and SGR sequences (ESC [ digits and ; or :
// then m), the only ones lipgloss writes. A frame that needs nothing
// escaped is returned as it is, without allocating.
func Frame(s string) string {
	i := firstUnsafeInFrame(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		if n := keptAt(s, i); n > 0 {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		j := i + 1
		if s[i] >= utf8.RuneSelf {
			_, n := utf8.DecodeRuneInString(s[i:])
			j = i + n
		}
		b.WriteString(Text(s[i:j]))
		i = j
	}
	return b.String()
}

func firstUnsafeInFrame(s string) int {
	for i := 0; i < len(s); {
		if n := keptAt(s, i); n > 0 {
			i += n
			continue
		}
		return i
	}
	return -1
}

// keptAt is the length of what Frame keeps as it is at s[i]: a run of
// safe text, a newline or an SGR sequence; 0 for a character to escape.
func keptAt(s string, i int) int {
	c := s[i]
	switch {
	case c >= 0x20 && c < 0x7f, c == '\n':
		return 1
	case c == 0x1b:
		return sgrLen(s[i:])
	case c < utf8.RuneSelf:
		return 0
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && n == 1 || unsafeRune(r) {
		return 0
	}
	return n
}

// sgrLen is the length of the SGR sequence s starts with, else 0.
func sgrLen(s string) int {
	if len(s) < 3 || s[0] != 0x1b || s[1] != '[' {
		return 0
	}
	for j := 2; j < len(s) && j < 64; j++ {
		switch c := s[j]; {
		case c >= '0' && c <= '9', c == ';', c == ':':
		case c == 'm':
			return j + 1
		default:
			return 0
		}
	}
	return 0
}
