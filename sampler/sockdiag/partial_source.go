package sockdiag

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// maxPartialGap is the longest the Source goes on partial samples before a
// full dump, whatever the counters say.
const maxPartialGap = time.Second

// partialState is what the Source keeps between samples for partial
// samples (see partial.go).
type partialState struct {
	off  bool   // every sample full (benchmarks of the full dump)
	plan []dump // the partial dump's requests
	// ref are the counters read as the last full dump began; trusted only
	// when that dump agreed with them and they held still during it.
	ref      tcpCounters
	refOK    bool
	counting closeWaitCounting // how CurrEstab treats CLOSE_WAIT, once seen
	lastFull time.Time
	prev     []sampler.Socket // the last sample's TCP sockets, as dumped
	seen     map[uint64]struct{}
	snmp     []byte
	// partials and fulls count samples of each kind, for tests and
	// benchmarks.
	partials, fulls uint64
}

// SetPartial turns partial samples on (the default) or off, so that every
// sample is a full dump.
func (s *Source) SetPartial(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.part.off = !on
	s.part.refOK = false
}

// replan derives the dump plans from the query and what the kernel refused.
func (s *Source) replan() {
	s.plan = planFor(s.query, s.refused)
	s.part.plan = planFor(partialQuery, s.refused)
	s.part.refOK = false
}

// canPartial reports whether this sample may be partial, given the counters
// read as it began.
func (s *Source) canPartial(before tcpCounters, now time.Time) bool {
	return !s.part.off && s.part.refOK && s.wholeTable() &&
		before.sameOpens(s.part.ref) && now.Sub(s.part.lastFull) < maxPartialGap
}

// wholeTable reports whether samples hold the whole table: a narrowed one
// has no CurrEstab to check against.
func (s *Source) wholeTable() bool {
	q := s.query
	return len(q.Protos) == 0 && q.States == 0 && len(q.Ports) == 0
}

// samplePartial dumps every socket but the ESTABLISHED TCP ones and carries
// those over from the last sample; ok is false, and socks to be thrown
// away, unless the counters prove the result exact.
func (s *Source) samplePartial(socks []sampler.Socket, before tcpCounters) (_ []sampler.Socket, ok bool) {
	socks, err := s.dumpPlan(socks, s.part.plan)
	if err != nil {
		return socks[:0], false
	}
	after, ok := s.readTCPCounters()
	if !ok || after != before { // something opened or closed during the dump
		return socks[:0], false
	}
	if s.part.seen == nil {
		s.part.seen = make(map[uint64]struct{})
	}
	socks, ok = carryEstablished(socks, s.part.prev, after.currEstab, s.part.counting, s.part.seen)
	if !ok {
		return socks[:0], false
	}
	s.part.partials++
	return socks, true
}

// afterFull records a full dump: the counters it began with become the
// reference if the dump agrees with them and they held still during it.
func (s *Source) afterFull(socks []sampler.Socket, before tcpCounters, beforeOK bool, now time.Time) {
	s.part.fulls++
	s.part.lastFull = now
	s.part.ref = before
	s.part.refOK = false
	if s.part.off || !beforeOK || !s.wholeTable() {
		return
	}
	after, ok := s.readTCPCounters()
	if !ok || after != before {
		return
	}
	if s.part.seen == nil {
		s.part.seen = make(map[uint64]struct{})
	}
	s.part.counting, s.part.refOK = calibrate(socks, before.currEstab, s.part.counting, s.part.seen)
}

// keepTCP remembers the sample's TCP sockets the next partial sample may
// carry (carriable). Its memory follows the table down as well as up.
func (s *Source) keepTCP(socks []sampler.Socket) {
	if cap(s.part.prev) > 4096 && 4*len(socks) < cap(s.part.prev) {
		s.part.prev, s.part.seen = nil, nil
	}
	s.part.prev = s.part.prev[:0]
	if s.part.off {
		return
	}
	for i := range socks {
		if carriable(&socks[i]) {
			s.part.prev = append(s.part.prev, socks[i])
		}
	}
}

// readTCPCounters reads the counters a partial sample rests on now.
func (s *Source) readTCPCounters() (tcpCounters, bool) {
	b, err := s.readCounters("net/snmp", s.part.snmp[:0])
	s.part.snmp = b
	if err != nil {
		return tcpCounters{}, false
	}
	return parseTCPCounters(b)
}
