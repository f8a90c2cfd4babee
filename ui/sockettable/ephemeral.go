package sockettable

import (
	"maps"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

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

// SetNetnsRanges tells the table the ephemeral ranges of the other network
// namespaces whose sockets it shows (a batch's NetnsRanges, the same list
// the header, churn panel and map judge by): a socket of one of them is
// marked e, and its service named, by its own namespace's range, not
// porttop's. nil: every socket is judged by SetEphemeral's range.
func (m *Model) SetNetnsRanges(ranges []sampler.NetnsRange) {
	var others map[uint64]ports.Range
	for _, r := range ranges {
		if r.Netns != 0 && r.Range.Known() {
			if others == nil {
				others = make(map[uint64]ports.Range, len(ranges))
			}
			others[r.Netns] = r.Range
		}
	}
	if maps.Equal(others, m.others) {
		return
	}
	m.others = others
	m.cache.reset() // cached rows carry the old mark
}

// rangeOf is the range a socket is judged against: its namespace's own
// when SetNetnsRanges listed it, else porttop's.
func (m Model) rangeOf(s *sampler.Socket) ports.Range {
	if r, ok := m.others[s.Netns]; ok && s.Netns != 0 {
		return r
	}
	return m.opts.Ephemeral
}
