package poll

import "github.com/porttop/porttop/sampler"

// Audit is what a stream reported, to be set against the kernel's own
// counts of connections opened (see sampler.Batch, whose fields of the
// same names it fills).
type Audit struct {
	// Kernel is the last reading of the kernel's counters; nil when the
	// source cannot read them or never could.
	Kernel *sampler.KernelCounters
	// Reported counts the opens reported (not Existing ones).
	Reported uint64
	// ReportedTCP counts, among them, the TCP connections the kernel's
	// counters count (see isTCPConnection), and handshakes completed.
	ReportedTCP uint64
	// ReportedTCPAtKernel is ReportedTCP as it stood when Kernel was read,
	// counted from the audit's baseline, the first reading published: the
	// figure to set against the kernel's opens since that reading.
	ReportedTCPAtKernel uint64
}

// audit keeps Audit up to date, with the handshakes in progress that are
// not counted yet.
type audit struct {
	Audit
	base     uint64                  // ReportedTCP when the baseline was read
	halfOpen map[sampler.ID]struct{} // by releaseKey: handshakes in progress, not yet counted (see trackHandshakes)
}

// countReported counts one reported open, and apart the TCP connections the
// kernel's counters can vouch for.
func (a *audit) countReported(s *sampler.Socket) {
	a.Reported++
	if isTCPConnection(s) {
		a.ReportedTCP++
	}
}

// Reading is the kernel's counters read with a sample: as its dump began
// (Start, see sampler.CounterReader) and as it ended (End, see
// sampler.AuditStartReader); nil when not read.
type Reading struct {
	Start, End *sampler.KernelCounters
}

// sampled takes the kernel's counters read with a sample (nil: keep the
// last reading). Start is as of the sample's start, whose sockets are all
// counted now: every connection it counts is reported or existing, so
// porttop may lead the kernel by what opened during the dump, never trail
// it. before is ReportedTCP as the sample began.
//
// The audit's start (the first reading published) must hold every
// connection the first sample has as existing, or one opened while its
// dump ran is counted by the kernel after it and never reported: "1
// missed" for good. That is the first sample's End when the source reads
// one; else the next sample's Start (the poller takes that sample at
// once), and the opens reported before that sample began (releases heard
// meanwhile) are left out of the audit: they happened before the reading.
func (a *audit) sampled(read Reading, first bool, before uint64) {
	switch {
	case first && read.End != nil:
		a.Kernel, a.base = read.End, before
	case read.Start == nil || first:
	case a.Kernel == nil:
		a.Kernel, a.base = read.Start, before
	default:
		a.Kernel = read.Start
	}
	a.ReportedTCPAtKernel = a.ReportedTCP - a.base
}
