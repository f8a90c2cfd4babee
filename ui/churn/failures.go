package churn

import (
	"fmt"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/internal/words"
	"github.com/porttop/porttop/ui/safe"
)

// SetOwnNetns tells the panel porttop's own network namespace (its inode;
// 0: unknown), whose failed connects' destinations it names without it.
func (m Model) SetOwnNetns(ino uint64) Model {
	m.own = ino
	return m
}

// ObserveFailures counts a batch's failed hand-outs (the ebpf source's) into
// the panel, which shows them under its title.
func (m Model) ObserveFailures(groups []sampler.FailureCount) Model {
	if len(groups) == 0 {
		return m
	}
	if m.s == nil {
		m.s = newState()
	}
	m.s.failures.Add(groups)
	return m
}

// failureLine is "! 189 connects failed (no free port), most to
// 127.0.0.1:9400: 189", "" when none failed.
func (m Model) failureLine() string {
	f := &m.s.failures
	if !f.Any() {
		return ""
	}
	var line string
	if f.Connects > 0 {
		line = fmt.Sprintf("! %s %s failed (no free port)", commas(int(f.Connects)), words.Plural(f.Connects, "connect"))
		var top string
		var n uint64
		for d, c := range f.ByDest {
			// Another namespace's destination is named with it (escaped).
			l := safe.Text(f.Label(d, m.own))
			if c > n || (c == n && l < top) {
				top, n = l, c
			}
		}
		if n > 0 {
			line += fmt.Sprintf(", most to %s: %s", top, commas(int(n)))
		}
	}
	if f.Binds > 0 {
		if line == "" {
			line = "!"
		} else {
			line += ";"
		}
		line += fmt.Sprintf(" %s port-0 %s failed", commas(int(f.Binds)), words.Plural(f.Binds, "bind"))
	}
	return m.styles.warn.Render(line)
}
