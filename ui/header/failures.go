package header

import (
	"fmt"
	"strings"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/internal/words"
	"github.com/porttop/porttop/ui/safe"
)

// FailureLine is the header's line for failed hand-outs since the start,
// "189 connects failed: no free port (python3 -> 127.0.0.1:9400)", the
// latest failure's process and destination in brackets, its name escaped,
// and its network namespace when it is known and not own (porttop's,
// 0: unknown): "(python3 -> 127.0.0.1:9400 in netns blue)"; "" when none
// failed.
func FailureLine(t sampler.FailureTotals, own uint64) string {
	if !t.Any() {
		return ""
	}
	var parts []string
	if t.Connects > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", t.Connects, words.Plural(t.Connects, "connect")))
	}
	if t.Binds > 0 {
		parts = append(parts, fmt.Sprintf("%d port-0 %s", t.Binds, words.Plural(t.Binds, "bind")))
	}
	line := strings.Join(parts, " and ") + " failed: no free port"
	g := t.Latest
	switch {
	case g.Other || g.Process == "":
	case g.Op == sampler.FailedConnect:
		line += fmt.Sprintf(" (%s -> %s)", safe.Text(g.Process), safe.Text(g.DestLabel(own)))
	case g.Op == sampler.FailedBind:
		line += fmt.Sprintf(" (%s: bind %s)", safe.Text(g.Process), safe.Text(g.DestLabel(own)))
	}
	return line
}
