package poll

import "github.com/porttop/porttop/sampler"

// matchesQuery reports whether q asks for s: the poller's own reading of a
// Query, used only to tell sockets that left the view from sockets that
// closed when the query changes.
func matchesQuery(q *sampler.Query, s *sampler.Socket) bool {
	if q.States != 0 && !q.States.Has(s.State) {
		return false
	}
	return q.MatchesAddrs(s)
}

// reviewAfterQueryChange corrects the events of the first sample taken under
// a new query: a socket the new query leaves out did not close, it left the
// view; a socket the old query left out did not open, it came into view and
// is marked Existing.
func reviewAfterQueryChange(events []sampler.Event, old, cur *sampler.Query) []sampler.Event {
	kept := events[:0]
	for _, e := range events {
		switch {
		case e.Kind == sampler.Closed && !matchesQuery(cur, &e.Socket):
			continue
		case e.Kind == sampler.Opened && !matchesQuery(old, &e.Socket):
			e.Existing = true
		}
		kept = append(kept, e)
	}
	return kept
}

// applyQuery hands a changed query to a Queryable source before a sample.
func (p *Poller) applyQuery() {
	p.queryMu.Lock()
	q, changed := p.query, p.queryChanged
	p.queryChanged = false
	p.queryMu.Unlock()
	if !changed || p.caps.query == nil {
		return
	}
	p.sourceQuery = q
	p.caps.query.SetQuery(q)
	p.rec.SetQuery(q)
}
