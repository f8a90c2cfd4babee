package churn

import (
	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/dests"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/safe"
)

// SetScope names what the panel counts, when the parent shows one network
// namespace at a time ("netns blue", "all netns"): the title and the
// destinations' heading say it, so a panel of one namespace is never read
// as the machine's. "" (one namespace on the machine) says nothing. The
// label is escaped here: a namespace's name is anyone's text.
func (m Model) SetScope(label string) Model {
	m.scope = safe.Text(label)
	return m
}

// Scope is the label SetScope gave, escaped.
func (m Model) Scope() string { return m.scope }

// SetNetnsRanges tells the panel, when it is given the sockets of several
// network namespaces (the machine's panel), the ranges of the namespaces
// other than the one its range is of (a batch's NetnsRanges). Their
// sockets count among the destinations against their own range, and not
// in the gauge, which is of the panel's range: a port of another
// namespace's range is not one of its ports. nil: every socket is the
// panel's namespace's, as before.
func (m Model) SetNetnsRanges(ranges []sampler.NetnsRange) Model {
	r := dests.RangesOf(m.ephemeral, ranges)
	m.others, m.names = r.Others, r.Names
	return m
}

// ranges are the ranges the panel judges sockets by: its own and, for
// the sockets of the namespaces SetNetnsRanges listed, theirs.
func (m Model) ranges() dests.Ranges {
	return dests.Ranges{Own: m.ephemeral, Others: m.others, Names: m.names}
}

// destLabel names a destination for the screen: its namespace too when it
// is another's than the panel's, the name escaped.
func (m Model) destLabel(d Dest) string { return safe.Text(m.ranges().Label(d)) }

// rangeFor is the range a socket of namespace netns is judged against.
func (m Model) rangeFor(netns uint64) ports.Range {
	if r, ok := m.others[netns]; ok && netns != 0 {
		return r
	}
	return m.ephemeral
}

// isOther reports whether netns is another namespace than the panel's.
func (m Model) isOther(netns uint64) bool {
	_, ok := m.others[netns]
	return ok && netns != 0
}
