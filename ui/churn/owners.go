package churn

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/safe"
)

// maxOwnersShown is how many owners a destination's line names; the rest
// are summed up as "+N more".
const maxOwnersShown = 3

// ownerShare is one process name holding ports towards a destination.
type ownerShare struct {
	name  string // process name; "" unknown
	ports int
}

// unknownOwner names ports whose owner porttop does not know (hidden from
// this user, or the kernel's own).
const unknownOwner = "unknown"

// timeWaitOwner names ports held by TIME_WAIT sockets whose last owner
// porttop does not know: no process holds them; the kernel does until its
// timer ends. A known last owner is named as the table does.
const timeWaitOwner = "TIME_WAIT"

// ownerName is who a socket's port counts for.
func ownerName(s *sampler.Socket) string {
	if s.Process == "" && s.State == sampler.StateTimeWait {
		return timeWaitOwner // held by no process, not by one porttop cannot see
	}
	return s.Process
}

// sharesOf is each destination's owners, most ports first.
func sharesOf(counts []map[string]int) [][]ownerShare {
	out := make([][]ownerShare, len(counts))
	for j, c := range counts {
		for name, n := range c {
			out[j] = append(out[j], ownerShare{name, n})
		}
		slices.SortFunc(out[j], func(a, b ownerShare) int {
			if c := cmp.Compare(b.ports, a.ports); c != 0 {
				return c
			}
			return cmp.Compare(a.name, b.name)
		})
	}
	return out
}

// ownersText is "curl 60%, python3 40%": who holds a destination's ports,
// with each one's share of them, or the one name when one process holds
// them all; "" when there are none.
func ownersText(owners []ownerShare, total int) string {
	if len(owners) == 0 || total <= 0 {
		return ""
	}
	if len(owners) == 1 {
		if owners[0].name == "" {
			return unknownOwner
		}
		return safe.Text(owners[0].name)
	}
	var parts []string
	for i, o := range owners {
		if i == maxOwnersShown {
			n := len(owners) - maxOwnersShown
			parts = append(parts, fmt.Sprintf("+%d more", n))
			break
		}
		name := o.name
		if name == "" {
			name = unknownOwner
		}
		parts = append(parts, fmt.Sprintf("%s %s", safe.Text(name), Percent(float64(o.ports)/float64(total))))
	}
	return strings.Join(parts, ", ")
}
