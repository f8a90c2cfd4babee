package sampler

import (
	"context"
	"time"
)

// Batch is what the UI (or `porttop watch`) receives: the newest snapshot and
// every event since the previous batch. Batches merge when the consumer is
// slow: the newest snapshot wins and events are appended. Snapshot.Sockets
// is shared with the feed: read it, never write to it; when the feed is a
// Recycler, hand it back with Recycle once done (see Recycler).
type Batch struct {
	Snapshot Snapshot
	Events   []Event
	// Err is the last sample's error; nil when it succeeded.
	Err error
	// Cost is what the last sample took (wall time in the poller goroutine).
	Cost time.Duration
	// Interval is the sampling interval now in force.
	Interval time.Duration
	// Samples is how many samples were merged into this batch.
	Samples int
	// ExistingToCome: the first sample's Existing opens go on in the next
	// batch (a feed that hands them out in parts: see poll's
	// Config.ExistingInParts); no other event comes before the last of
	// them. False in every batch of a feed that gives them all at once.
	ExistingToCome bool
	// Dropped counts events discarded, since the start, because the consumer
	// fell too far behind; it is never silently non-zero.
	Dropped uint64
	// Source names the source ("netlink", "gopsutil", "replay").
	Source string
	// Notes are short lines for the header: fallbacks taken, owners hidden.
	Notes []string
	// OwnersHidden: the source cannot see other users' processes, so their
	// sockets show no owner (one of Notes says how to see more).
	OwnersHidden bool
	// Kernel, when the source can read them, are the kernel's open counters
	// now, and Reported is how many opens porttop has reported since the start.
	Kernel   *KernelCounters
	Reported uint64
	// ReportedTCP counts, among Reported, the TCP connections (listeners
	// left out): the figure to set against the kernel's ActiveOpens +
	// PassiveOpens, which count TCP connections only.
	ReportedTCP uint64
	// ReportedTCPAtKernel is ReportedTCP as it stood when Kernel was read:
	// the same instant, so the two can be compared without the opens
	// reported since (by release reports between samples) reading as a
	// surplus. It counts from the first Kernel a feed publishes, which is
	// read after its first sample: compare it with the kernel's opens
	// since that first reading.
	ReportedTCPAtKernel uint64
	// Ephemeral is the OS ephemeral range as last read (see EphemeralRange;
	// zero Range: this feed does not read it).
	Ephemeral EphemeralRange
	// NetnsRanges are the ephemeral ranges of the other network namespaces
	// read (see NetnsRange), as the last sample read them; nil when the
	// source reads porttop's namespace alone. A socket with a Netns listed
	// here is judged against its namespace's range, not Ephemeral's.
	NetnsRanges []NetnsRange
	// Failures are the hand-outs that failed for want of a free port since
	// the previous batch, summed per process, destination and errno
	// (bounded: see MaxFailureGroups); nil when none or when the source
	// cannot see them (only the ebpf source can).
	Failures []FailureCount
	// Disagreements counts, since the start, the kernel's transitions (see
	// TransitionWatcher) that the table contradicted: the table's state was
	// kept and the transition reported nothing. Only with a source that
	// streams transitions.
	Disagreements uint64
}

// Feed is where batches come from: a live poller or a replayed recording.
// A feed that also implements Recycler (poll.Poller does) reuses snapshot
// memory when the consumer calls Recycle once per batch it is done with.
type Feed interface {
	// Next blocks until a batch is ready or ctx ends.
	Next(ctx context.Context) (Batch, error)
}
