package filter

import (
	"strings"

	"github.com/porttop/porttop/sampler"
)

// Match reports whether the socket passes every term.
func (f Filter) Match(s *sampler.Socket) bool {
	return f.matchState(s, s.State)
}

// MatchEvent reports whether the event's socket matches, or, for a state
// change, whether it matched in its previous state.
func (f Filter) MatchEvent(e *sampler.Event) bool {
	if f.matchState(&e.Socket, e.Socket.State) {
		return true
	}
	return e.Kind == sampler.StateChanged && f.matchState(&e.Socket, e.PrevState)
}

func (f Filter) matchState(s *sampler.Socket, state sampler.State) bool {
	local, remote := s.Local.Port(), s.Remote.Port()
	for _, t := range f.ports {
		if !t.match(local, remote) {
			return false
		}
	}
	for _, a := range f.addrs {
		if !a.match(s.Local, s.Remote) {
			return false
		}
	}
	if !anyOf(f.protos, s.Proto) || !anyOf(f.states, state) || !anyOf(f.pids, s.PID) || !anyOf(f.uids, s.UID) {
		return false
	}
	if len(f.names) > 0 {
		name := strings.ToLower(s.Process)
		found := false
		for _, n := range f.names {
			if strings.Contains(name, n) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if !f.place.match(&s.Place) {
		return false
	}
	for _, n := range f.not {
		if n.matchState(s, state) {
			return false
		}
	}
	return true
}

// match: remote port 0 means no remote end, so it never matches.
func (t portTerm) match(local, remote uint16) bool {
	for _, r := range t.ranges {
		if r.Contains(local) || (!t.localOnly && remote != 0 && r.Contains(remote)) {
			return true
		}
	}
	return false
}

// anyOf: an empty list allows anything.
func anyOf[T comparable](list []T, v T) bool {
	if len(list) == 0 {
		return true
	}
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
