package sampler

import "slices"

// MatchesAddrs reports whether q's protocols and ports let s through,
// leaving its state aside: what can be checked of a socket known only from
// its release, whose states before it are unknown.
func (q *Query) MatchesAddrs(s *Socket) bool {
	if len(q.Protos) > 0 && !slices.Contains(q.Protos, s.Proto) {
		return false
	}
	if len(q.Ports) == 0 {
		return true
	}
	for _, r := range q.Ports {
		if inRange(r, s.Local.Port()) || inRange(r, s.Remote.Port()) {
			return true
		}
	}
	return false
}

func inRange(r PortRange, p uint16) bool { return r.Lo <= p && p <= r.Hi }

// Narrows reports whether q leaves some sockets out of a sample (a
// protocol, state or port asked for): such a sample is part of the table.
func (q *Query) Narrows() bool { return len(q.Protos) != 0 || q.States != 0 || len(q.Ports) != 0 }
