package ui

import (
	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/filter"
	"github.com/porttop/porttop/sampler/live"
)

// followEphemeral takes in a change of the OS ephemeral range a batch
// carries (the live poller reads it again every second; a replay plays its
// range change lines), before the batch is applied: the header's figures,
// the churn panel, the port map, the table's e mark, explain and the
// filter's "ephemeral" term all use the new range from this batch on. The
// header says it changed (a note the feed adds). The feed is told the
// filter again: its query can move with the range.
func (m *Model) followEphemeral(b sampler.Batch) {
	r := b.Ephemeral.Range
	if !r.Known() || r == m.cfg.Ephemeral {
		return
	}
	m.cfg.Ephemeral = r
	m.table.SetEphemeral(r)
	m.views.followOwnRange(r)
	if m.filter.IsZero() {
		return
	}
	f, err := filter.Parse(m.filter.String(), r)
	if err != nil { // a filter in force prints as text that parses; say so if not
		m.status.fail("filter kept for the old ephemeral range: " + err.Error())
		return
	}
	before := m.filter.Query()
	m.setFilter(f)
	if !live.SameQuery(before, f.Query()) {
		m.tellFilter()
	}
}
