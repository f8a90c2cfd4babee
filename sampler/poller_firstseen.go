package sampler

import "time"

// FirstSeen is when sockets were first seen in use (their Since) by another
// sampling of the same machine, keyed as releases are matched: by the
// kernel's cookie, or by the whole ID for a socket without one. A poller
// starting beside it (the live view's filtered sampling, beside the
// machine-wide one) carries those times over to the sockets of its first
// sample rather than stamp them with that sample's time, so a socket's age,
// held time and "since" do not restart when the view switches samplers.
// The zero FirstSeen knows nothing; Add fills it.
type FirstSeen struct {
	byCookie map[cookieKey]time.Time // 16-byte keys: most sockets have a cookie
	byID     map[ID]time.Time
}

type cookieKey struct {
	cookie uint64
	proto  Proto
}

// FirstSeenOf gathers the Since of the sockets in socks that q covers (by
// protocol and port, see MatchesAddrs); sockets never stamped are left out.
func FirstSeenOf(socks []Socket, q Query) FirstSeen {
	var seen FirstSeen
	withCookie, without := 0, 0 // sized up front: growing the maps allocates twice as much
	for i := range socks {
		if s := &socks[i]; !s.Since.IsZero() && q.MatchesAddrs(s) {
			if s.Cookie != 0 {
				withCookie++
			} else {
				without++
			}
		}
	}
	if withCookie > 0 {
		seen.byCookie = make(map[cookieKey]time.Time, withCookie)
	}
	if without > 0 {
		seen.byID = make(map[ID]time.Time, without)
	}
	seen.Add(socks, q)
	return seen
}

// Add gathers into f as FirstSeenOf does; a socket f already knows keeps
// the earlier of the two times.
func (f *FirstSeen) Add(socks []Socket, q Query) {
	for i := range socks {
		s := &socks[i]
		if s.Since.IsZero() || !q.MatchesAddrs(s) {
			continue
		}
		if t, ok := f.Of(s); ok && !s.Since.Before(t) {
			continue
		}
		if s.Cookie != 0 {
			if f.byCookie == nil {
				f.byCookie = map[cookieKey]time.Time{}
			}
			f.byCookie[cookieKey{s.Cookie, s.Proto}] = s.Since
		} else {
			if f.byID == nil {
				f.byID = map[ID]time.Time{}
			}
			f.byID[s.ID] = s.Since
		}
	}
}

// Of returns when s was first seen, if known.
func (f *FirstSeen) Of(s *Socket) (time.Time, bool) {
	if s.Cookie != 0 {
		t, ok := f.byCookie[cookieKey{s.Cookie, s.Proto}]
		return t, ok
	}
	t, ok := f.byID[s.ID]
	return t, ok
}

// Len is how many sockets f knows.
func (f *FirstSeen) Len() int { return len(f.byCookie) + len(f.byID) }

// carryFirstSeen stamps the sockets of the first sample, and the Existing
// events that report them, with the times the config's FirstSeen knows.
// A time after the sample's own is ignored: first seen cannot be later
// than seen now. The map is let go afterwards; later samples carry Since
// over from one to the next.
func (p *Poller) carryFirstSeen(events []Event, next *Snapshot) {
	seen := p.firstSeen
	p.firstSeen = FirstSeen{}
	if seen.Len() == 0 {
		return
	}
	carry := func(s *Socket) {
		if t, ok := seen.Of(s); ok && t.Before(s.Since) {
			s.Since = t
		}
	}
	for i := range next.Sockets {
		carry(&next.Sockets[i])
	}
	for i := range events {
		if events[i].Kind == Opened {
			carry(&events[i].Socket)
		}
	}
}
