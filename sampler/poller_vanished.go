package sampler

import "time"

// vanished remembers TCP sockets a sample saw leave the table with no
// release reported for them, by cookie, until their release comes. A
// socket reset by its peer while its program still holds it is one: the
// kernel unhashes it (closed: dumps no longer show it, its port is free)
// but reports its release only when the program closes it, maybe minutes
// later. Without this the late report, for a cookie long forgotten, would
// be taken for a connection that lived and died between two samples: an
// open and a close that never happened, counted against the kernel's opens.
// Bounded: the oldest go first, and none is kept past vanishedTTL.
type vanished struct {
	at    map[uint64]time.Time
	order []vanishedRef // oldest first; may hold entries already taken
	head  int
}

type vanishedRef struct {
	cookie uint64
	at     time.Time
}

const (
	vanishedTTL   = 10 * time.Minute
	vanishedLimit = 65_536
)

// add remembers the closes of events that a release may still report:
// TCP sockets with a cookie, not in TIME_WAIT (the kernel reports no
// release for a TIME_WAIT socket).
func (v *vanished) add(events []Event, at time.Time) {
	for i := range events {
		s := &events[i].Socket
		if events[i].Kind != Closed || s.Proto != TCP || s.Cookie == 0 || s.State == StateTimeWait {
			continue
		}
		if v.at == nil {
			v.at = map[uint64]time.Time{}
		}
		v.at[s.Cookie] = at
		v.order = append(v.order, vanishedRef{s.Cookie, at})
	}
	v.trim(at)
}

// take reports whether cookie vanished from a sample, forgetting it.
func (v *vanished) take(cookie uint64) bool {
	if _, ok := v.at[cookie]; !ok || cookie == 0 {
		return false
	}
	delete(v.at, cookie)
	return true
}

// trim forgets entries past the ttl or over the limit, and compacts order.
func (v *vanished) trim(now time.Time) {
	for v.head < len(v.order) {
		ref := v.order[v.head]
		at, ok := v.at[ref.cookie]
		switch {
		case !ok || !at.Equal(ref.at): // taken, or added again later
		case len(v.at) > vanishedLimit || now.Sub(ref.at) > vanishedTTL:
			delete(v.at, ref.cookie)
		default:
			goto done
		}
		v.head++
	}
done:
	if v.head > len(v.order)/2 {
		v.order = append(v.order[:0], v.order[v.head:]...)
		v.head = 0
	}
}
