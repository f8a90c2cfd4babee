// Package live is the live view's one feed: it owns the machine-wide poller
// and, while the view's filter narrows to ports, a focused poller of its own
// over a source the kernel narrows to them, and merges the two into one
// stream of Batch values. Merger holds the merge as synchronous logic (no
// goroutines, channels or clock); Feed is the small driver that runs it.
package live

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// Show is what the table and the event feed take from a Batch.
type Show uint8

const (
	// ShowNothing: the table and the feed take nothing from this batch.
	ShowNothing Show = iota
	// ShowEvents: the feed takes Events (stamped with Snapshot.Time); the
	// table keeps the focused snapshot it shows.
	ShowEvents
	// ShowWide: the table shows Snapshot, the newest machine-wide one, and
	// the feed takes Events.
	ShowWide
	// ShowFocused: the table shows Snapshot, a focused sample, and the feed
	// takes Events.
	ShowFocused
)

// Batch is one step of the live feed as the view takes it. The view
// applies its parts in order: Wide (header, map, churn panel, the feed's
// line of sockets already open), then Listeners and History (the port
// history), then Reset and Err, then Show with Snapshot and Events.
type Batch struct {
	// Wide is the machine-wide batch this step brings, whole; nil when the
	// step is a focused one's.
	Wide *sampler.Batch
	// Show says what Snapshot and Events are for.
	Show     Show
	Snapshot sampler.Snapshot
	Events   []sampler.Event
	// TableKept: Wide's snapshot is the one the machine-wide step before
	// brought (the poller published no table since: a paced view takes
	// the events between its tables, see poll's SetTakenEvery). The
	// header, the table, the map and the churn panel keep what they made
	// of it and take the events alone.
	TableKept bool
	// History is what the port history takes of this step's events: a
	// socket covered by both pollers is counted once.
	History []sampler.Event
	// Listeners, when not nil, are a focused snapshot's sockets, whose TCP
	// listeners the port history learns before taking History: the
	// connections they accept are accepted, not ports handed out, even
	// when the machine-wide batch that reported them was left out as
	// covered.
	Listeners []sampler.Socket
	// Reset: the focused table ended (the filter moved, or its sampling
	// failed); the view shows its newest machine-wide snapshot again at
	// once, even while paused, and lets a held focused snapshot go.
	Reset bool
	// Err is why the focused sampling stopped; the machine-wide batches
	// carry the view on.
	Err error
	// Focus is the focused sampling as of this step.
	Focus Focus
	// NetnsRanges are a focused batch's other namespaces' ranges
	// (sampler.Batch.NetnsRanges), by which the table judges its sockets
	// until a machine-wide batch (Wide's) says them; nil in a wide step.
	NetnsRanges []sampler.NetnsRange
}

// Focus is the focused sampling as the view shows it. The zero Focus is
// none live: the machine-wide batches drive the table.
type Focus struct {
	// Live: a batch of the current focus has come; it drives the table.
	Live bool
	// Sockets is its newest snapshot's (what the explain pane reads).
	Sockets []sampler.Socket
	// Interval and Cost are its sampling's, for the header.
	Interval, Cost time.Duration
}

// empty reports whether b has nothing for the view.
func (b *Batch) empty() bool {
	return b.Wide == nil && b.Show == ShowNothing && !b.Reset && b.Err == nil
}
