package metrics

import "github.com/porttop/porttop/sampler"

// Failed hand-outs (connect() EADDRNOTAVAIL, bind() EADDRINUSE: no local
// port left) are counted by op and errno only. The batch's groups also
// name the process and the destination, but those are unbounded (and the
// process name is anyone's text): as labels they would make the exporter
// the cardinality problem it is meant to find. The destination's share of
// the range is porttop_destination_ports' job; who failed is in the live
// view, watch and explain.

// failureKey is one series: an op and an errno class.
type failureKey struct {
	op    sampler.FailedOp
	errno string // EADDRNOTAVAIL, EADDRINUSE, or "other"
}

// failureKeys bounds the series: 2 ops x 3 errno classes.
const failureKeys = 2 * 3

// errnoLabel is the errno's class: its name for the two the kernel
// reports for a port shortage, "other" for any else.
func errnoLabel(n int) string {
	switch n {
	case sampler.ErrnoAddrNotAvail, sampler.ErrnoAddrInUse:
		return sampler.ErrnoName(n)
	}
	return "other"
}

// observeFailures adds a batch's failed hand-outs to the counters.
func (s *State) observeFailures(groups []sampler.FailureCount) {
	for _, g := range groups {
		if g.Op != sampler.FailedConnect && g.Op != sampler.FailedBind {
			continue
		}
		if s.failures == nil {
			s.failures = map[failureKey]uint64{}
		}
		s.failures[failureKey{g.Op, errnoLabel(g.Errno)}] += g.Count
	}
}

// Failures is the failed hand-outs counted since the start, by op and
// errno class; with a source that sees them (Options.SeesFailures) the
// two a port shortage causes are there from the start, at 0.
func (s *State) Failures() map[failureKey]uint64 {
	if !s.seesFailures {
		return s.failures
	}
	out := map[failureKey]uint64{
		{sampler.FailedConnect, "EADDRNOTAVAIL"}: 0,
		{sampler.FailedBind, "EADDRINUSE"}:       0,
	}
	for k, n := range s.failures {
		out[k] = n
	}
	return out
}
