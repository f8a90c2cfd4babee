package main

import (
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/sockettable"
)

// whoTimer is `who`'s last field: a TIME_WAIT socket's time left before the
// kernel frees it, as "timewait:45s" (ss -o shows timer:(timewait,45sec,0)),
// else "-". It is the last field so that scripts splitting a line on spaces
// find the others where they were.
func whoTimer(s *sampler.Socket, now time.Time) string {
	if s.State != sampler.StateTimeWait || s.TimeWaitEnds.IsZero() {
		return "-"
	}
	return "timewait:" + sockettable.FormatAge(max(s.TimeWaitEnds.Time().Sub(now), 0))
}
