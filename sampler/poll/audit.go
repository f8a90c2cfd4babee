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

// sampled takes the kernel's counters read with a sample (nil: keep the
// last reading). They are as of the sample's start, whose sockets are all
// counted now. before is ReportedTCP as the sample began.
//
// Those read with the first sample are no baseline: they were read as its
// dump began, and a connection opened while it ran is in it, existing and
// so never reported, yet counted by the kernel after that reading: "1
// missed" for good at start-up. The audit starts from the first reading
// after the first sample (the poller takes the next sample at once), and
// counts the opens reported from that sample's start: those reported in
// between (releases heard while the first sample was attributed) happened
// before the reading. So nothing that happened before the first sample is
// counted on either side.
func (a *audit) sampled(kernel *sampler.KernelCounters, first bool, before uint64) {
	switch {
	case kernel == nil || first:
	case a.Kernel == nil:
		a.Kernel, a.base = kernel, before
	default:
		a.Kernel = kernel
	}
	a.ReportedTCPAtKernel = a.ReportedTCP - a.base
}
