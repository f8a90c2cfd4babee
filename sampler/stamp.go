package sampler

import "time"

// Stamp is an instant as Unix nanoseconds, 0 for none: 8 bytes where a
// time.Time takes 24, for the times a table holds for every socket
// (Socket.Since, Socket.TimeWaitEnds). Convert at the edges: StampOf going
// in, Time coming out. It keeps no monotonic clock reading and no
// location (Time is in the local zone), so it spans 1678 to 2262 and
// measures durations by the wall clock.
type Stamp int64

// StampOf is t as a Stamp; the zero time is the zero Stamp.
func StampOf(t time.Time) Stamp {
	if t.IsZero() {
		return 0
	}
	return Stamp(t.UnixNano())
}

// Time is s as a time.Time; the zero Stamp is the zero time.
func (s Stamp) Time() time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(s))
}

// IsZero reports whether s is no instant (unknown, not set).
func (s Stamp) IsZero() bool { return s == 0 }

// UnixNano is s as Unix nanoseconds, 0 for none.
func (s Stamp) UnixNano() int64 { return int64(s) }

// Compare is -1 when s is before u, +1 when after, 0 when they are equal
// (as time.Time.Compare).
func (s Stamp) Compare(u Stamp) int {
	switch {
	case s < u:
		return -1
	case s > u:
		return 1
	}
	return 0
}
