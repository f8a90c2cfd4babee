package filter

import (
	"slices"

	"github.com/porttop/porttop/sampler"
)

// Query is what a source may be asked for: a superset of what Match
// accepts. Of the ANDed port terms it sends the narrowest (a kernel query
// matches local or remote, so even a local-only term's ranges are a
// superset). A negated protocol narrows the protocols asked for. States are
// never sent: in a table narrowed to some states, a socket entering one of
// them (ESTABLISHED going to TIME_WAIT) would look like a socket handed out,
// and one leaving like a release. Pids, uids, names and addresses are never
// sent either.
func (f Filter) Query() sampler.Query {
	var q sampler.Query
	q.Protos = append(q.Protos, f.protos...)
	for _, n := range f.not {
		if len(n.protos) > 0 {
			if len(q.Protos) == 0 {
				q.Protos = []sampler.Proto{sampler.TCP, sampler.UDP}
			}
			q.Protos = slices.DeleteFunc(q.Protos, func(p sampler.Proto) bool { return slices.Contains(n.protos, p) })
		}
	}
	// Nothing left means nothing matches; asking for everything is still a
	// superset, and an empty list or mask would read as "all" anyway.
	if len(q.Protos) == 0 {
		q.Protos = nil
	}
	best, bestSize := -1, 0
	for i, t := range f.ports {
		size := 0
		for _, r := range t.ranges {
			size += r.Size()
		}
		if best < 0 || size < bestSize {
			best, bestSize = i, size
		}
	}
	if best >= 0 {
		for _, r := range f.ports[best].ranges {
			q.Ports = append(q.Ports, sampler.PortRange{Lo: r.Lo, Hi: r.Hi})
		}
	}
	return q
}
