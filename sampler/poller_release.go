package sampler

import "slices"

// handleReleases turns r, and every release already queued behind it, into
// events at once, and publishes them without waiting for a sample.
func (p *Poller) handleReleases(r Release, queue <-chan Release) {
	events := p.releaseBatch[:0]
	events = p.release(r, events)
	for more := true; more; {
		select {
		case r := <-queue:
			events = p.release(r, events)
		default:
			more = false
		}
	}
	if len(events) > 0 {
		// The pending batch keeps its own copy: this buffer is reused.
		p.pending.add(p.update(update{events: append([]Event(nil), events...)}))
	}
	p.releaseBatch = events[:0]
}

// release applies one release to base and appends the events it makes.
func (p *Poller) release(r Release, events []Event) []Event {
	at := r.At
	if at.IsZero() {
		at = p.now()
	}
	id := releaseKey(r.Socket.ID)
	toTimeWait := r.Socket.State == StateTimeWait

	// Already changed by an earlier release since the last sample.
	if a, ok := p.adjust[id]; ok {
		if a.gone || toTimeWait {
			return events
		}
		p.adjust[id] = adjustment{gone: true}
		p.recent.add(id, at, true)
		return append(events, Event{Kind: Closed, Time: at, Socket: a.socket, Held: held(a.socket.Since, at)})
	}
	if s, ok := p.inBase(id); ok {
		p.endHandshake(s.ID, r.Socket.State)
		if toTimeWait {
			if s.State == StateTimeWait {
				return events
			}
			prev := s.State
			// In TIME_WAIT no process holds it: its pid is its last owner's.
			s.State, s.Inode, s.Owner = StateTimeWait, 0, s.Owner.Released()
			p.adjust[id] = adjustment{socket: s}
			p.twByAddr[addressesOf(s.ID)] = id
			return append(events, Event{Kind: StateChanged, Time: at, Socket: s, PrevState: prev})
		}
		p.adjust[id] = adjustment{gone: true}
		p.recent.add(id, at, true)
		return append(events, Event{Kind: Closed, Time: at, Socket: s, Held: held(s.Since, at)})
	}
	if p.recent.has(id) {
		return events // a sample, or an earlier release, has reported it gone
	}
	if p.vanished.take(&r.Socket) {
		return events // a sample reported it gone long ago (see vanished)
	}

	// Never seen: it lived and died (or went to TIME_WAIT) between samples,
	// unless the query kept it out of the samples. (Its states in between are
	// unknown, so only protocols and ports are checked.) One without a local
	// port was never bound: no port was handed out, so there is nothing to
	// report (a program probing for IPv6 support makes such sockets).
	if r.Socket.Local.Port() == 0 || !p.curQuery.MatchesAddrs(&r.Socket) {
		return events
	}
	s := r.Socket
	if s.Since.IsZero() || s.Since.After(at) {
		s.Since = at
	}
	p.countReported(&s)
	events = p.closeReplaced(&s, at, events)
	events = append(events, Event{Kind: Opened, Time: at, Socket: s, SeenAtEnd: true})
	if toTimeWait {
		// Still in the table: the next sample will show it, and must not
		// open it again. (Bounded, should samples keep failing.)
		if len(p.adjust) < recentGoneLimit {
			p.adjust[id] = adjustment{socket: s}
			p.twByAddr[addressesOf(s.ID)] = id
		}
		return events
	}
	p.recent.add(id, at, true)
	return append(events, Event{Kind: Closed, Time: at, Socket: s, Held: at.Sub(s.Since), SeenAtEnd: true})
}

// inBase finds the socket with release key id in the last sample, indexing it on first use.
func (p *Poller) inBase(id ID) (Socket, bool) {
	if !p.baseIndex.built {
		p.baseIndex.build(p.base.Sockets)
	}
	i, ok := p.baseIndex.find(p.base.Sockets, id)
	if !ok {
		return Socket{}, false
	}
	return p.base.Sockets[i], true
}

// prevForDiff is base as releases have left it: without the released
// sockets, with TIME_WAIT changes applied and the unseen TIME_WAIT sockets
// added. It is built in a reused buffer, never in base, which the consumer
// may be reading.
func (p *Poller) prevForDiff() Snapshot {
	if len(p.adjust) == 0 {
		return p.base
	}
	if !p.baseIndex.built {
		p.baseIndex.build(p.base.Sockets)
	}
	if p.baseIndex.dups {
		return p.prevForDiffByRow()
	}
	// Copy base and patch the few adjusted rows: no lookup per row.
	prev := append(p.prevScratch[:0], p.base.Sockets...)
	gone := slices.Grow(p.goneScratch[:0], len(prev))[:len(prev)]
	clear(gone)
	anyGone := false
	for id, a := range p.adjust {
		i, ok := p.baseIndex.find(p.base.Sockets, id)
		switch {
		case ok && a.gone:
			gone[i], anyGone = true, true
		case ok:
			prev[i] = a.socket
		case !a.gone:
			prev = append(prev, a.socket)
		}
	}
	if anyGone {
		kept := prev[:0]
		for i := range prev {
			if i >= len(gone) || !gone[i] {
				kept = append(kept, prev[i])
			}
		}
		prev = kept
	}
	p.prevScratch, p.goneScratch = prev, gone
	return Snapshot{Time: p.base.Time, Sockets: prev}
}

// prevForDiffByRow is prevForDiff for a base with duplicate rows, each of
// which the adjustment applies to: one lookup per row.
func (p *Poller) prevForDiffByRow() Snapshot {
	prev := p.prevScratch[:0]
	inBase := 0
	for _, s := range p.base.Sockets {
		a, ok := p.adjust[releaseKey(s.ID)]
		switch {
		case !ok:
			prev = append(prev, s)
		case !a.gone:
			prev = append(prev, a.socket)
			inBase++
		default:
			inBase++
		}
	}
	if inBase < len(p.adjust) {
		for id, a := range p.adjust {
			if _, ok := p.inBase(id); !ok && !a.gone {
				prev = append(prev, a.socket)
			}
		}
	}
	p.prevScratch = prev
	return Snapshot{Time: p.base.Time, Sockets: prev}
}

// dropReopened undoes the opens of sockets a release said were gone: the
// sample was read before the release reached the poller. They are dropped
// from the events and from next. Only the (few) opens are looked up.
func (p *Poller) dropReopened(events []Event, next *Snapshot) []Event {
	var stale map[ID]bool
	kept := events[:0]
	for _, e := range events {
		if key := releaseKey(e.Socket.ID); e.Kind == Opened && p.recent.released(key) {
			if stale == nil {
				stale = map[ID]bool{}
			}
			stale[key] = true
			continue
		}
		kept = append(kept, e)
	}
	if stale != nil {
		next.Sockets = slices.DeleteFunc(next.Sockets, func(s Socket) bool { return stale[releaseKey(s.ID)] })
	}
	return kept
}

// releaseKey is how a release is matched to a sampled socket: by the kernel's
// cookie when there is one, because the kernel may report a socket's
// addresses already cleared at release (a connection reset by SO_LINGER 0
// comes back as 0.0.0.0:port with no remote port); by the full ID otherwise.
func releaseKey(id ID) ID {
	if id.Cookie != 0 {
		return ID{Cookie: id.Cookie, Proto: id.Proto}
	}
	return id
}
