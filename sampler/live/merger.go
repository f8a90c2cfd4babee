package live

import (
	"slices"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Merger merges the machine-wide batches with those of the focused
// sampling beside them. Once a batch of the current focus has come it
// drives the table (and the free-port answer), and it alone reports the
// events of the sockets it covers; until then, and whenever the filter
// does not narrow, the machine-wide batches do. The header, the port map
// and the churn panel always count the whole machine.
//
// It is synchronous: each method is one step, called from one goroutine
// (Feed's Next); the zero Merger has no focus and has seen nothing.
type Merger struct {
	gen   uint64        // of the focus last asked for; 0: none yet
	on    bool          // that focus narrows, so its batches are awaited
	query sampler.Query // what it asked the kernel for
	live  bool          // a batch of it has come
	// since is its first sample's time: from then on its events, not the
	// machine-wide ones, are shown for the sockets query covers; lastAt is
	// its newest batch's.
	since, lastAt time.Time
	// sockets is its newest snapshot; interval and cost are for the header.
	sockets        []sampler.Socket
	interval, cost time.Duration
	// ended is the span and query of the focus before this one, whose
	// events the first machine-wide batches after it must not repeat.
	ended coverage
	// early is what focus batches fed the port history before the
	// machine-wide first batch came; kept across focuses.
	early earlyOpens
	// wide is the newest machine-wide snapshot's sockets, for the
	// first-seen hand-off (the view still reads them: never written).
	wide []sampler.Socket
	// wideAt is that snapshot's time (see Batch.TableKept).
	wideAt time.Time
	// aside are the events other than Existing opens that came with the
	// parts of the machine-wide first sample's opens (see widePart), for
	// the view's table and feed to take with the last part.
	aside []sampler.Event
}

// Ask is a focus the merger asks for: its batches are to carry Gen. A
// Query that does not narrow (see Narrows) asks for no focus: any running
// one stops.
type Ask struct {
	Gen   uint64
	Query sampler.Query
	// Known is what the view knew of the sockets Query covers, for the
	// focus's first sample to keep (see Known); empty when it does not
	// narrow.
	Known Known
}

// Narrows reports whether the ask starts a focus.
func (a *Ask) Narrows() bool { return Narrows(a.Query) }

// Known is what the view knew, when a focus was asked for, of the sockets
// the focus will cover: the newest machine-wide snapshot's and, where
// earlier, those of the focus being replaced (nil when none was live). The
// focus's own first sample keeps their first-seen times (see
// sampler.FirstSeen), so a socket's age, held time and "since" carry on
// across the switch to the filtered view rather than restart from its first
// sample. Both are read only.
type Known struct {
	Wide, Focus []sampler.Socket
}

// Narrows reports whether the kernel can narrow a sample to q cheaply at
// any table size: a port filter (a bytecode match per socket). States are
// never asked of the kernel (see filter.Filter.Query), and a protocol alone
// would have a second sampler read most of the table again.
func Narrows(q sampler.Query) bool {
	return len(q.Ports) > 0
}

// SameQuery reports whether a and b ask a source for the same sockets.
func SameQuery(a, b sampler.Query) bool {
	return a.States == b.States && slices.Equal(a.Protos, b.Protos) && slices.Equal(a.Ports, b.Ports)
}

// Refocus takes in the view's filter, as the query it asks of a source. It
// returns what the view must do at once (a Reset when a live focus ends;
// nothing else) and the focus it asks for (Gen 0: none: a filter edited
// without changing what the kernel is asked for keeps the focus it has).
// Until a new focus's first batch the table goes back to the machine-wide
// batches.
func (m *Merger) Refocus(q sampler.Query) (Batch, Ask) {
	narrows := Narrows(q)
	if narrows && m.on && SameQuery(q, m.query) {
		return Batch{}, Ask{}
	}
	old := *m
	m.gen++
	m.on, m.query, m.live = narrows, q, false
	m.since, m.lastAt, m.sockets, m.interval, m.cost = time.Time{}, time.Time{}, nil, 0, 0
	var out Batch
	ask := Ask{Gen: m.gen, Query: q}
	if old.live {
		m.ended = coverage{query: old.query, since: old.since, till: old.lastAt}
		out.Reset = true
	}
	if narrows {
		ask.Known.Wide = m.wide
		if old.live {
			ask.Known.Focus = old.sockets
		}
	}
	return out, ask
}

// Focused takes in a batch of focus gen. It reports false for a batch of a
// focus no longer wanted (an earlier one, or none); the view takes nothing
// from it.
func (m *Merger) Focused(gen uint64, b sampler.Batch) (Batch, bool) {
	if gen != m.gen || !m.on {
		return Batch{}, false
	}
	if b.Err != nil { // the machine-wide samples carry the view on
		wasLive := m.live
		m.on, m.live = false, false
		if wasLive {
			m.ended = coverage{query: m.query, since: m.since, till: m.lastAt}
		}
		return Batch{Reset: wasLive, Err: b.Err, Focus: m.focus()}, true
	}
	if !m.live {
		m.live = true
		m.since = firstSampleTime(b)
	}
	m.lastAt = b.Snapshot.Time
	m.sockets = b.Snapshot.Sockets
	m.interval, m.cost = b.Interval, b.Cost
	return Batch{
		Show:     ShowFocused,
		Snapshot: b.Snapshot,
		Events:   b.Events,
		// The history must know the listeners the focus shows, as the
		// header does, or the connections they accept read as ports
		// handed out: the Existing opens it is fed carry them only until
		// the machine-wide first batch comes (see earlyOpens).
		Listeners: b.Snapshot.Sockets,
		History:   m.early.forHistory(b.Events),
		Focus:     m.focus(),
		// Its sockets' namespaces' ranges, for the table's e mark before
		// the first machine-wide batch.
		NetnsRanges: b.NetnsRanges,
	}, true
}

// Wide takes in a machine-wide batch. The view's header, map and churn
// panel take it whole; the feed and the port history only the events of
// the sockets no focus covers; the table its snapshot unless a focus is
// live.
//
// The first sample's opens may come in parts (sampler.Batch.ExistingToCome,
// poll.Config.ExistingInParts): see widePart. The last part is taken as
// the first batch would be whole, with the events other than Existing
// opens of the parts before it.
func (m *Merger) Wide(b sampler.Batch) Batch {
	if b.ExistingToCome {
		return m.widePart(b)
	}
	history := m.uncovered(b.Events)
	if m.aside != nil {
		b.Events = slices.Insert(b.Events, 0, m.aside...)
		m.aside = nil
	}
	events := m.uncovered(b.Events)
	m.early.wideCame()
	kept := m.sameTable(b.Snapshot)
	m.wide, m.wideAt = b.Snapshot.Sockets, b.Snapshot.Time
	out := Batch{Wide: &b, Snapshot: b.Snapshot, Events: events, History: history, Focus: m.focus(), TableKept: kept}
	if m.live {
		out.Show = ShowEvents
	} else {
		out.Show = ShowWide
	}
	return out
}

// sameTable reports whether s is the machine-wide snapshot the step
// before brought: the same rows (never written again once published) and
// time. A buffer the poller reuses for a new table has a new time.
func (m *Merger) sameTable(s sampler.Snapshot) bool {
	return len(s.Sockets) > 0 && sampler.SameRows(s.Sockets, m.wide) && s.Time.Equal(m.wideAt)
}

// widePart takes in a part of the machine-wide first sample's opens, one
// more to come: the view's feed counts its Existing opens on its = line
// and the port history takes its events (each part as it comes: the
// first sample's opens are never held all at once, 24 MB at 100k
// sockets), but the header, the table, the churn panel and the feed's
// lines wait for the last part, which says the first sample whole: a
// part's snapshot is the whole table, and the view would otherwise make
// its rows and figures once a part. What the table and feed take of a
// part's events (those before the opens: releases heard before the first
// sample) is kept aside for the last part, copied: the view hands the
// part's events back.
func (m *Merger) widePart(b sampler.Batch) Batch {
	history := m.uncovered(b.Events)
	m.early.widePart(b.Events)
	m.wide, m.wideAt = b.Snapshot.Sockets, time.Time{} // the last part's is shown
	for i := range b.Events {
		if !b.Events[i].Existing {
			m.aside = append(m.aside, b.Events[i])
		}
	}
	return Batch{Wide: &b, History: history, Focus: m.focus()}
}

// focus is the focused sampling as the view shows it.
func (m *Merger) focus() Focus {
	if !m.live {
		return Focus{}
	}
	return Focus{Live: true, Sockets: m.sockets, Interval: m.interval, Cost: m.cost}
}

// Alone is a machine-wide batch as the view takes it when no focus ever
// runs (a replayed recording, a demo): whole, table and all.
func Alone(b sampler.Batch) Batch {
	var m Merger
	return m.Wide(b)
}
