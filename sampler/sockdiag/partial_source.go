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
	// prev is the last sample (keepTCP); own is the memory of prev's
	// copy when the sample was handed back (keepOwnCopy).
	prev keptSample
	own  []sampler.Socket
	// narrowed: the last sample was of a narrowed query (see keepTCP).
	narrowed bool
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
	socks, ok = carryEstablished(socks, &s.part.prev, after.currEstab, s.part.counting, s.part.seen)
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

// keepTCP remembers the sample for the next partial sample (keptSample):
// its rows as handed out, and where its carriable ones are. Handed back
// through Recycle before the next sample, they are copied first. A sample
// of a narrowed query, and a whole one right after such, are not kept:
// a partial sample stands on a whole one less than maxPartialGap old, and
// a whole table between narrowed samples is the ebpf source's check
// (every 10 s, UDP alone between), whose kept rows (24 bytes a carriable
// row, 2 MB at 84k ESTABLISHED sockets) no partial sample ever read,
// made while the check's two tables were alive. A caller that narrows
// and then widens for good pays one more full dump.
func (s *Source) keepTCP(socks []sampler.Socket) {
	if cap(s.part.own) > 4096 && 4*len(socks) < cap(s.part.own) {
		s.part.own = nil // its memory follows the table down as well as up
	}
	if cap(s.part.prev.at) > 4096 && 4*len(socks) < cap(s.part.prev.at) {
		s.part.prev.at, s.part.seen = nil, nil
	}
	afterNarrowed := s.part.narrowed
	s.part.narrowed = !s.wholeTable()
	if s.part.off || s.part.narrowed || afterNarrowed {
		s.part.prev.forget()
		return
	}
	s.part.prev.keep(socks)
}

// keepOwnCopy makes the kept sample the Source's own copy of its carriable
// rows: the caller handed the sample's memory back (Recycle), and the next
// sample will write over it.
func (s *Source) keepOwnCopy() { s.part.own = s.part.prev.copyRows(s.part.own) }

// sameMemory reports whether a and b are slices of one array, from its start.
func sameMemory(a, b []sampler.Socket) bool {
	return cap(a) > 0 && cap(b) > 0 && &a[:1][0] == &b[:1][0]
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
