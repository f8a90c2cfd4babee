package ebpf

import (
	"fmt"
	"strings"

	"github.com/porttop/porttop/sampler"
)

// FailureNote is the header line for failed hand-outs:
// "189 connects failed: no free port (python3 -> 127.0.0.1:9400)", the
// latest failure's process and destination in brackets, its name escaped.
func FailureNote(c Counts, last sampler.PortFailure) string {
	var parts []string
	if c.ConnectFailed > 0 {
		parts = append(parts, fmt.Sprintf("%d connects", c.ConnectFailed))
	}
	if c.BindFailed > 0 {
		parts = append(parts, fmt.Sprintf("%d port-0 binds", c.BindFailed))
	}
	note := strings.Join(parts, " and ") + " failed: no free port"
	if last.Actor.Known {
		note += fmt.Sprintf(" (latest: %s %s -> %s)", escape(last.Actor.Comm), last.Op, last.Addr)
	}
	return note
}

// escape shows control characters and invalid UTF-8 as \x escapes.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '\\' {
			fmt.Fprintf(&b, `\x%02x`, c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
