package explain

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/porttop/porttop/sampler"
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
	slices.SortFunc(dests, func(a, b netip.AddrPort) int { return strings.Compare(a.String(), b.String()) })
	var names []string
	for i, d := range dests {
		if i == maxFailedDests {
			names = append(names, fmt.Sprintf("%d more", len(dests)-i))
			break
		}
		names = append(names, fmt.Sprintf("%s (%d)", d, in.Failures.ByDest[d]))
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
