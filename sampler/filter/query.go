package filter

import "github.com/porttop/porttop/sampler"

// Query is what a source may be asked for: a superset of what Match
// accepts. Of the ANDed port terms it sends the narrowest (a kernel query
// matches local or remote, so even a local-only term's ranges are a
// superset); pids and names are never sent.
func (f Filter) Query() sampler.Query {
	var q sampler.Query
	q.Protos = append(q.Protos, f.protos...)
	q.States = sampler.MaskOf(f.states...)
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
