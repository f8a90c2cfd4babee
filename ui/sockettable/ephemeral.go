package sockettable

import "github.com/porttop/porttop/sampler/ports"

// inEphemeral reports whether p lies in the OS ephemeral range r; an
// unknown range holds nothing.
func inEphemeral(r ports.Range, p uint16) bool {
	return r.Known() && r.Contains(p)
}

// SetEphemeral follows a change of the OS ephemeral range: the e mark and
// the service column are of r from the next View on.
func (m *Model) SetEphemeral(r ports.Range) {
	if r == m.opts.Ephemeral {
		return
	}
	m.opts.Ephemeral = r
	m.cache.reset() // cached rows carry the old mark
}
