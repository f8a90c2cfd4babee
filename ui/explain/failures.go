package explain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/safe"
)

// failureParas say how many connect() calls to the port failed for want of
// a free local port, and to which addresses: the port is a destination the
// ephemeral range ran out for.
func failureParas(in Input) []para {
	if in.Proto == sampler.UDP {
		return nil
	}
	n, dests := in.Failures.ToPort(in.Port)
	if n == 0 {
		return nil
	}
	label := func(d sampler.FailedDest) string { return safe.Text(in.Failures.Label(d, in.OwnNetns)) }
	slices.SortFunc(dests, func(a, b sampler.FailedDest) int { return strings.Compare(label(a), label(b)) })
	var names []string
	for i, d := range dests {
		if i == maxFailedDests {
			names = append(names, fmt.Sprintf("%d more", len(dests)-i))
			break
		}
		// Another namespace's destination is named with it: each
		// namespace runs out of its own range.
		names = append(names, fmt.Sprintf("%s (%d)", label(d), in.Failures.ByDest[d]))
	}
	calls := "calls"
	if n == 1 {
		calls = "call"
	}
	return []para{text(fmt.Sprintf(
		"%d connect() %s to this port failed for want of a free local port (EADDRNOTAVAIL, \"Cannot assign requested address\") while porttop watched: to %s. "+
			"Every port of the ephemeral range was already taken for that destination; more ports (a wider range), fewer sockets held in TIME_WAIT, "+
			"or reusing connections would let them succeed.",
		n, calls, joinAnd(names)))}
}

// maxFailedDests is how many destinations the paragraph names.
const maxFailedDests = 5
