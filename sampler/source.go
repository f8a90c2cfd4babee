package sampler

import (
	"context"
	"time"
)

// Source reads the connection table. Implementations are called from the
// poller's goroutine, never from the UI's.
type Source interface {
	// Name is a short word for the header and errors ("netlink", "gopsutil").
	Name() string
	// Sample returns the table now. Sockets come back with Since unset.
	Sample(ctx context.Context) (Snapshot, error)
}

// Query narrows what a source is asked for so that a filtered view stays
// cheap on a huge table. The zero Query asks for everything. A source may
// ignore it and return more; the consumer filters again.
type Query struct {
	Protos []Proto     // empty: all
	States StateMask   // 0: all
	Ports  []PortRange // empty: all; matches the local or the remote port
}

// PortRange is an inclusive range of ports.
type PortRange struct{ Lo, Hi uint16 }

// Queryable is implemented by sources that can narrow a sample in the kernel.
type Queryable interface {
	SetQuery(Query)
}

// ReleaseWatcher is implemented by sources that hear of released sockets as
// they happen (Linux's sock_diag destroy groups), so a socket that lived and
// died between two polls is still reported. WatchReleases sends each released
// socket to out until ctx ends; a TCP socket that lives on as the kernel's
// timewait socket (its port still held) arrives in that socket's state:
// StateTimeWait, or StateFinWait2 when it was closed before its peer's FIN
// came (an orphan waiting for it). It returns an error at once
// when subscribing is impossible; the poller then relies on polling alone.
type ReleaseWatcher interface {
	WatchReleases(ctx context.Context, out chan<- Release) error
}

// Release is one socket the kernel reported released.
type Release struct {
	Socket Socket
	At     time.Time
}

// Owners is implemented by sources that can say why owners are unknown.
type Owners interface {
	// OwnersHidden reports whether sockets of other users show no process,
	// with a sentence on how to see more ("run as root or with CAP_SYS_PTRACE").
	OwnersHidden() (bool, string)
}

// KernelCounters are the kernel's own counts of connections opened, read to
// check porttop's accounting (Linux: /proc/net/snmp Tcp ActiveOpens/PassiveOpens).
type KernelCounters struct {
	ActiveOpens  uint64
	PassiveOpens uint64
}

// CounterReader is implemented by sources that can read KernelCounters. The
// poller calls it after each Sample; a source should return the counters as
// they stood when that Sample began (every connection they count is then in
// the sample or was reported released), or read them now if it cannot.
type CounterReader interface {
	KernelCounters() (KernelCounters, error)
}

// AuditStartReader is implemented by CounterReaders that also read the
// kernel's counters as their first Sample's dump ended, before its sockets
// were attributed: every connection in that sample is counted in them, and
// nothing opened after the dump. The poller starts its audit there (a
// reading taken as the dump began leaves out connections opened while it
// ran, which are in the sample as existing: missed for good). Read once,
// so later samples pay nothing for it; an error when there is none.
type AuditStartReader interface {
	KernelCountersAtFirstDumpEnd() (KernelCounters, error)
}

// QuietSource is implemented by sources that can tell, far more cheaply than
// a sample, that the table cannot have changed since their last Sample began
// (Linux: the kernel's TCP counters and socket counts have not moved). The
// poller then skips that tick's sample, but never for longer than its
// MaxQuietGap (poll.MaxQuietGap), and never when poked or when the query
// changed. Events stay exact: a new socket moves the counters, so it still
// shows up within one interval; closes come from the release watcher as
// before.
type QuietSource interface {
	Quiet() bool
}

// NetnsRanger is implemented by sources that read other network namespaces
// than porttop's own: each one's ephemeral range, as their last Sample read
// it (sorted by inode; the poller carries it in Batch.NetnsRanges).
type NetnsRanger interface {
	NetnsRanges() []NetnsRange
}

// EventTable is implemented by TransitionWatchers whose transitions are
// complete (the ebpf source where its programs read socket cookies): every
// TCP state change of every socket in every namespace the source's Sample
// shows, each with its Cookie and NetNS, the opening one with its Opener
// and Place. CompleteTransitions reports whether that holds now (false
// after the kernel dropped records, until the next full sample). The
// poller then keeps the TCP table from the transitions and takes
// snapshots only for what they cannot tell: the first table, TIME_WAIT
// expiry, UDP, and a periodic consistency check.
type EventTable interface {
	CompleteTransitions() bool
}

// Noter is implemented by sources with something to say in the header after
// a sample (rows they could not read, a fallback taken). The poller asks
// after each sample and adds the lines to Batch.Notes.
type Noter interface {
	Notes() []string
}

// RowFilter is implemented by sources that can leave out of a whole
// sample, as their dump reads it, the rows a caller holds already: an
// event-kept table's check (poll's Reconciler) compares the kernel's
// table with its own, and needs only the rows that differ, not a second
// whole table (17-20 MB at 100k sockets, alive beside its own while the
// dump runs).
type RowFilter interface {
	// SampleKept is Sample with keep asked of each row as the dump reads
	// it, before the source's other work on it (owners): the snapshot
	// holds the rows keep returned true for, as Sample would give them.
	// keep is given what the dump tells of a row (ID, State, Inode, UID,
	// V6Only, TimeWaitEnds) and its Place; no owner. It may not keep the
	// pointer. keep(nil) says the dump starts over (the kernel changed the
	// table under it): what keep was told before is void. filtered false:
	// the source could not filter this time (several network namespaces,
	// a narrowed query) and took a whole Sample, keep unasked.
	SampleKept(ctx context.Context, keep func(*Socket) bool) (snap Snapshot, filtered bool, err error)
}
