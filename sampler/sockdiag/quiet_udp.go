package sockdiag

import (
	"bytes"
	"slices"

	"github.com/porttop/porttop/sampler"
)

// appendUDPSignature appends the UDP lines' hashed sockets (inuse) of
// /proc/net/sockstat and sockstat6: they move when a UDP socket is bound
// or closed in the namespace.
func appendUDPSignature(dst, sockstat, sockstat6 []byte) []byte {
	for _, f := range [][]byte{sockstat, sockstat6} {
		for line := range bytes.Lines(f) {
			if bytes.HasPrefix(line, []byte("UDP")) {
				dst = appendFields(dst, line, udpFields)
			}
		}
	}
	return dst
}

var udpFields = []string{"inuse"}

// UDPQuiet reports whether this namespace's UDP sockets can be as they
// were when the last Sample that held them began: as many are hashed
// (sockstat's and sockstat6's UDP lines). A close and a bind between the
// two keep the count: a caller must sample again after it hears of a UDP
// release (WatchReleases reports them) whatever this says. False before
// such a sample, or when the counters cannot be read.
//
// A poller keeping the TCP table by kernel events (sampler/poll's event
// mode) samples the UDP sockets alone at every tick; this spares it the
// dump while UDP holds still (two small procfs reads instead).
func (s *Source) UDPQuiet() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.udpSig == nil {
		return false
	}
	var files [2][]byte
	for i, name := range []string{"net/sockstat", "net/sockstat6"} {
		b, err := s.readCounters(name, s.fileBufs[i+1][:0])
		if err != nil && i == 0 { // sockstat6 is missing without IPv6
			return false
		}
		s.fileBufs[i+1], files[i] = b, b
	}
	s.udpSigNow = appendUDPSignature(s.udpSigNow[:0], files[0], files[1])
	return bytes.Equal(s.udpSigNow, s.udpSig)
}

// noteUDPSignature keeps, as a sample begins, the UDP signature of the
// counters its signature read (sig true), when the sample holds UDP
// sockets; none otherwise.
func (s *Source) noteUDPSignature(sig bool) {
	q := &s.query
	holdsUDP := (len(q.Protos) == 0 || slices.Contains(q.Protos, sampler.UDP)) &&
		(q.States == 0 || q.States&sampler.MaskOf(sampler.StateNone) != 0)
	if !sig || !holdsUDP {
		s.udpSig = nil
		return
	}
	s.udpSig = appendUDPSignature(s.udpSig[:0], s.fileBufs[1], s.fileBufs[2])
}
