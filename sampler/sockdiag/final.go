package sockdiag

import "time"

// SetClosedForGood gives the release watcher a caller's knowledge of TCP
// sockets that closed for good: f(cookie) true says the socket with that
// cookie left the table in a way that hands no timewait socket on (its
// last state change was to CLOSE from a state other than FIN_WAIT1,
// FIN_WAIT2 or CLOSING, as the kernel's transitions tell), so its release
// needs no TIME_WAIT lookup. Each lookup costs a netlink request and its
// reply; a source that streams transitions (sampler/ebpf) spares half of
// them under churn (the side that closes last). f may be called from the
// watcher's goroutine; false (unknown) keeps the lookup. nil: none.
func (s *Source) SetClosedForGood(f func(cookie uint64) bool) {
	if f == nil {
		s.closedForGood.Store(nil)
		return
	}
	s.closedForGood.Store(&f)
}

// CoalesceReleases has the release watcher, once a report arrives, wait d
// before it reads what else came, so that a burst of reports goes through
// one set of TIME_WAIT lookups (one request for them all) and one wakeup of
// its consumer, rather than one each: under churn, reports come one by one
// a few hundred microseconds apart. A release's At is when it was read, so
// up to d late. For a consumer whose close times come from elsewhere (the
// ebpf source's transitions carry the kernel's); 0 (the default) reads each
// report as it comes.
func (s *Source) CoalesceReleases(d time.Duration) { s.coalesce.Store(int64(d)) }
