package poll

import "github.com/porttop/porttop/sampler"

// caps are a source's optional capabilities, resolved once when the poller
// is made: each is nil when the source lacks it.
type caps struct {
	query    sampler.Queryable
	watcher  sampler.ReleaseWatcher
	owners   sampler.Owners
	counters sampler.CounterReader
	// auditStart: see sampler.AuditStartReader
	auditStart sampler.AuditStartReader
	quiet      sampler.QuietSource
	noter      sampler.Noter
	recycler   sampler.SocketRecycler
	ranger     sampler.NetnsRanger
	// transitions: the kernel's stream of transitions and failed
	// hand-outs (see sampler.TransitionWatcher)
	transitions sampler.TransitionWatcher
	// batches: the same source, when it can send transitions in batches
	batches sampler.BatchWatcher
	// table: the transitions keep the TCP table (see sampler.EventTable);
	// nil unless the source streams them too
	table sampler.EventTable
	// udpQuiet tells whether the UDP sockets can be as the last sample
	// that held them found them (sockdiag's Source.UDPQuiet): an
	// event-kept table's ticks then skip their UDP-only sample
	udpQuiet udpQuietSource
	// filter leaves out of a check's dump the rows the table holds as
	// they are (see BeginKept)
	filter sampler.RowFilter
}

// udpQuietSource is a source that can tell its UDP sockets held still
// since its last sample that held them (the count of hashed UDP sockets
// unchanged). A close and a bind keep the count: the poller samples after
// any UDP release whatever it says.
type udpQuietSource interface {
	UDPQuiet() bool
}

func capsOf(src sampler.Source) caps {
	var c caps
	if src == nil {
		return c
	}
	c.query, _ = src.(sampler.Queryable)
	c.watcher, _ = src.(sampler.ReleaseWatcher)
	c.owners, _ = src.(sampler.Owners)
	c.counters, _ = src.(sampler.CounterReader)
	c.auditStart, _ = src.(sampler.AuditStartReader)
	c.quiet, _ = src.(sampler.QuietSource)
	c.noter, _ = src.(sampler.Noter)
	c.recycler, _ = src.(sampler.SocketRecycler)
	c.ranger, _ = src.(sampler.NetnsRanger)
	c.udpQuiet, _ = src.(udpQuietSource)
	c.filter, _ = src.(sampler.RowFilter)
	c.transitions, _ = src.(sampler.TransitionWatcher)
	c.batches, _ = src.(sampler.BatchWatcher)
	if c.transitions != nil {
		c.table, _ = src.(sampler.EventTable)
	}
	return c
}
