package poll

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

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
	at    map[uint64]vanishedSocket
	order []vanishedRef // oldest first; may hold entries already taken
	head  int
}

// vanishedSocket is when a socket left the table, and its local port: a
// program may connect() the same socket again after a failed connect, and
// that is a new connection on a new port, whose release must count.
// Times are Unix nanoseconds: 16 bytes an entry, not 32 (up to
// vanishedLimit entries under churn; sampler/MEMORY.md).
type vanishedSocket struct {
	at   int64
	port uint16
}

type vanishedRef struct {
	cookie uint64
	at     int64
}

const (
	vanishedTTL   = 10 * time.Minute
	vanishedLimit = 65_536
	// vanishedSlack is how many stale entries order may hold beyond
	// twice the live ones before it is compacted.
	vanishedSlack = 1024
)

// add remembers the closes of events that a release may still report:
// TCP sockets with a cookie, not in TIME_WAIT (the kernel reports no
// release for a TIME_WAIT socket).
func (v *vanished) add(events []sampler.Event, at time.Time) {
	for i := range events {
		s := &events[i].Socket
		if events[i].Kind != sampler.Closed || s.Proto != sampler.TCP || s.Cookie == 0 || s.State == sampler.StateTimeWait {
			continue
		}
		if v.at == nil {
			v.at = map[uint64]vanishedSocket{}
		}
		v.at[s.Cookie] = vanishedSocket{at.UnixNano(), s.Local.Port()}
		v.order = append(v.order, vanishedRef{s.Cookie, at.UnixNano()})
	}
	v.trim(at)
}

// take reports whether r is the release of a socket that vanished from a
// sample, on the same local port (the kernel keeps it even when it clears
// the addresses), forgetting it.
func (v *vanished) take(r *sampler.Socket) bool {
	gone, ok := v.at[r.Cookie]
	if !ok || r.Cookie == 0 || gone.port != r.Local.Port() {
		return false
	}
	delete(v.at, r.Cookie)
	return true
}

// trim forgets entries past the ttl or over the limit, and compacts order.
func (v *vanished) trim(now time.Time) {
	for v.head < len(v.order) {
		ref := v.order[v.head]
		gone, ok := v.at[ref.cookie]
		switch {
		case !ok || gone.at != ref.at: // taken, or added again later
		case len(v.at) > vanishedLimit || now.UnixNano()-ref.at > int64(vanishedTTL):
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
	if len(v.order)-v.head > 2*len(v.at)+vanishedSlack {
		// Mostly taken entries behind one still waiting at the head (a
		// socket its program holds for minutes): without this order
		// would keep every close of the ttl (2,000 a second: 19 MB).
		kept := v.order[:0]
		for _, ref := range v.order[v.head:] {
			if gone, ok := v.at[ref.cookie]; ok && gone.at == ref.at {
				kept = append(kept, ref)
			}
		}
		clear(v.order[len(kept):])
		v.order, v.head = kept, 0
	}
	if len(v.at) == 0 && cap(v.order) > vanishedSlack {
		// A Go map keeps its size when emptied: let a big one go.
		v.at, v.order = nil, nil
	}
}
