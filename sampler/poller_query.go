package sampler

// matchesQuery reports whether q asks for s: the poller's own reading of a
// Query, used only to tell sockets that left the view from sockets that
// closed when the query changes.
func matchesQuery(q *Query, s *Socket) bool {
	if q.States != 0 && !q.States.Has(s.State) {
		return false
	}
	return q.MatchesAddrs(s)
}

func inRange(r PortRange, p uint16) bool { return r.Lo <= p && p <= r.Hi }

// reviewAfterQueryChange corrects the events of the first sample taken under
// a new query: a socket the new query leaves out did not close, it left the
// view; a socket the old query left out did not open, it came into view and
// is marked Existing.
func reviewAfterQueryChange(events []Event, old, cur *Query) []Event {
	kept := events[:0]
	for _, e := range events {
		switch {
		case e.Kind == Closed && !matchesQuery(cur, &e.Socket):
			continue
		case e.Kind == Opened && !matchesQuery(old, &e.Socket):
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
	qs, ok := p.cfg.Source.(Queryable)
	if !changed || !ok {
		return
	}
	qs.SetQuery(q)
	if p.queryFrom == nil && p.sampled { // several changes before a sample: base's query counts
		old := p.curQuery
		p.queryFrom = &old
	}
	p.curQuery = q
}
