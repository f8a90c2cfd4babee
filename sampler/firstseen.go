package sampler

import "time"

// FirstSeen is when sockets were first seen in use (their Since) by another
// sampling of the same machine, and by whom when known, keyed as releases
// are matched: by the kernel's cookie, or by the whole ID for a socket
// without one. A poller starting beside it (the live view's filtered
// sampling, beside the machine-wide one) carries those over to the sockets
// of its first sample rather than stamp them with that sample's time and
// no owner, so a socket's age, held time, "since" and owner (a TIME_WAIT
// socket's is the process that last held it, which no dump says) do not
// change when the view switches samplers. The zero FirstSeen knows
// nothing; Add fills it.
type FirstSeen struct {
	byCookie map[cookieKey]seenAs // 16-byte keys: most sockets have a cookie
	byID     map[ID]seenAs
}

type cookieKey struct {
	cookie uint64
	proto  Proto
}

// seenAs is what another sampling knew of a socket.
type seenAs struct {
	since Stamp
	owner Owner // who held it then (Gone is not kept: Carry judges it anew)
}

// FirstSeenOf gathers the Since (and owner) of the sockets in socks that q
// covers (by protocol and port, see MatchesAddrs); sockets never stamped are
// left out.
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
		seen.byCookie = make(map[cookieKey]seenAs, withCookie)
	}
	if without > 0 {
		seen.byID = make(map[ID]seenAs, without)
	}
	seen.Add(socks, q)
	return seen
}

// Add gathers into f as FirstSeenOf does; a socket f already knows keeps
// the earlier of the two times, and the owner it knew if socks' has none.
func (f *FirstSeen) Add(socks []Socket, q Query) {
	for i := range socks {
		s := &socks[i]
		if s.Since.IsZero() || !q.MatchesAddrs(s) {
			continue
		}
		as := seenAs{since: s.Since, owner: s.Owner}
		if old, ok := f.lookup(s); ok {
			if old.since < as.since {
				as.since = old.since
			}
			as.owner = as.owner.Inherit(old.owner, true) // the one rule: see Owner
		}
		if s.Cookie != 0 {
			if f.byCookie == nil {
				f.byCookie = map[cookieKey]seenAs{}
			}
			f.byCookie[cookieKey{s.Cookie, s.Proto}] = as
		} else {
			if f.byID == nil {
				f.byID = map[ID]seenAs{}
			}
			f.byID[s.ID] = as
		}
	}
}

func (f *FirstSeen) lookup(s *Socket) (seenAs, bool) {
	if s.Cookie != 0 {
		as, ok := f.byCookie[cookieKey{s.Cookie, s.Proto}]
		return as, ok
	}
	as, ok := f.byID[s.ID]
	return as, ok
}

// Of returns when s was first seen, if known.
func (f *FirstSeen) Of(s *Socket) (time.Time, bool) {
	as, ok := f.lookup(s)
	return as.since.Time(), ok
}

// Len is how many sockets f knows.
func (f *FirstSeen) Len() int { return len(f.byCookie) + len(f.byID) }

// Carry gives s what f knows of it: the earlier Since, and the owner when s
// was sampled with none (see Owner.Inherit). A time after s's own is
// ignored: first seen cannot be later than seen now.
func (f *FirstSeen) Carry(s *Socket) {
	as, ok := f.lookup(s)
	if !ok {
		return
	}
	if as.since < s.Since {
		s.Since = as.since
	}
	s.Owner = s.Owner.Inherit(as.owner, s.Inode != 0)
}
