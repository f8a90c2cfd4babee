package explain

import (
	"strings"
	"unicode/utf8"
)

// para is a paragraph; a bullet hangs its continuation lines under its text.
type para struct {
	text   string
	bullet bool
}

func text(s string) para   { return para{text: s} }
func bullet(s string) para { return para{text: s, bullet: true} }

// minWidth keeps wrapping sane in a tiny pane.
const minWidth = 20

// render wraps paragraphs to width, a blank line between plain paragraphs,
// bullets packed under the paragraph before them.
func render(paras []para, width int) string {
	width = max(width, minWidth)
	var b strings.Builder
	for i, p := range paras {
		if i > 0 && !p.bullet {
			b.WriteString("\n")
		}
		first, rest := "", ""
		if p.bullet {
			first, rest = "- ", "  "
		}
		for _, line := range wrap(p.text, width, first, rest) {
			b.WriteString(line)
			b.WriteString("\n")
		}
	}
	return b.String()
}

// wrap breaks s at spaces so that no line is longer than width runes; a
// word longer than a line is cut.
func wrap(s string, width int, first, rest string) []string {
	var lines []string
	line, prefix := first, first
	for _, word := range strings.Fields(s) {
		for {
			room := width - utf8.RuneCountInString(line)
			sep := 1
			if line == prefix {
				sep = 0
			}
			wl := utf8.RuneCountInString(word)
			if wl+sep <= room {
				if sep == 1 {
					line += " "
				}
				line += word
				break
			}
			if line != prefix { // start a new line and retry
				lines = append(lines, line)
				line, prefix = rest, rest
				continue
			}
			// The word alone is too long: cut it.
			cut := byteIndexOfRune(word, room)
			lines = append(lines, line+word[:cut])
			line, prefix = rest, rest
			word = word[cut:]
		}
	}
	if line != prefix || len(lines) == 0 {
		lines = append(lines, strings.TrimRight(line, " "))
	}
	return lines
}

func byteIndexOfRune(s string, n int) int {
	i := 0
	for k := range s {
		if i == n {
			return k
		}
		i++
	}
	return len(s)
}
