package sockdiag

import (
	"bytes"
)

var _ interface{ Quiet() bool } = (*Source)(nil)

// signature reads the counters of appendSignature into dst (about 20 µs:
// three small procfs reads); ok is false when any could not be read.
func (s *Source) signature(dst []byte) ([]byte, bool) {
	var files [3][]byte
	for i, name := range []string{"net/snmp", "net/sockstat", "net/sockstat6"} {
		b, err := s.readCounters(name, s.fileBufs[i][:0])
		if err != nil && i < 2 { // sockstat6 is missing without IPv6
			return dst, false
		}
		s.fileBufs[i], files[i] = b, b
	}
	return appendSignature(dst, files[0], files[1], files[2]), true
}

// Quiet reports whether the kernel's counters are as they were when the last
// successful Sample began, so that sample still describes the table (see
// sampler.QuietSource).
func (s *Source) Quiet() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sig == nil {
		return false
	}
	var ok bool
	s.sigNow, ok = s.signature(s.sigNow[:0])
	return ok && bytes.Equal(s.sigNow, s.sig)
}
