package poll

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// How long and how many released or closed IDs are remembered, to drop a
// released socket from samples taken just before its release and to ignore a
// release that arrives after a sample already reported the close.
const (
	recentGoneTTL   = 5 * time.Second
	recentGoneLimit = 65_536
)

// Reconciler turns what a source reports, samples of the whole table and
// releases heard between them, into one stream of events. It owns all the
// tracking state that needs: the last sample (base) and what releases did to
// it since, the TIME_WAIT sockets by address, the IDs recently gone, the
// sockets that vanished before their release, the handshakes in progress,
// the first-seen times to carry over, and the audit against the kernel's
// counters.
//
// It is synchronous and has no clock: each step is given its time, and
// returns its events. One goroutine drives it (the Poller's Run); tests
// drive it as a script of steps. Another input (a kernel event source, a
// second network namespace) is another step method beside Sample and
// Release, working on the same state.
type Reconciler struct {
	differ      sampler.Differ
	base        sampler.Snapshot // the last good sample, diffed against
	baseIndex   baseIndex        // base by releaseKey, built on first use
	diffScratch patchScratch
	adjust      adjustments       // changes steps made to base since it was sampled, by releaseKey; its TIME_WAIT sockets by address
	recent      *recentGone       // by releaseKey
	vanished    vanished          // closed by a sample, release still to come
	firstSeen   sampler.FirstSeen // for the first sample; emptied after it
	sampled     bool              // a sample has succeeded: later opens are not Existing
	query       sampler.Query     // what the source was last told
	queryFrom   *sampler.Query    // the query of base, while a changed query awaits its first sample
	audit       audit
	released    []sampler.Event // Release's result, reused
	// disagreements counts kernel transitions the table contradicted.
	disagreements uint64
	// The event-kept table (eventtable.go, check.go): the listeners by
	// port, the sockets events touched while a check's dump ran, the
	// differences checks found, the TIME_WAIT timers, and scratch.
	listen             listeners
	checking           bool
	checkCounted       bool
	touched            keySet
	checkDisagreements uint64
	twq                twTimers  // TIME_WAIT timers, earliest first
	twNext             time.Time // the earliest timer of a socket without a cookie
	twNoCookie         bool      // some TIME_WAIT socket has no cookie (see expireUncookied)
	udpScratch         []sampler.Socket
	udpIdx             []int32 // base's UDP rows, when udpBuilt
	udpBuilt           bool
	// udpAdjusted are the UDP keys of adjust: a tick's UDP diff looks at
	// them, not at every socket events changed since the base.
	udpAdjusted map[sampler.ID]struct{}
	dirty       bool // the table changed since the last Tick
	// tablesAsBase: every table Tick builds becomes the base (see
	// SetTablesAsBase).
	tablesAsBase bool
	// pending are opening transitions that came before their socket's
	// port, by cookie (see openPending).
	pending map[uint64]sampler.Transition
	// existingLater: the first sample's opens are made later from its
	// table, not by the diff (see stampExisting); existingDeferred: they
	// were.
	existingLater, existingDeferred bool
	// filter is a filtered check's (see BeginKept); nil when none runs.
	filter *checkFilter
}

// NewReconciler makes a reconciler that has seen nothing yet. seen, when
// not empty, gives the Since (and owners) of sockets another sampling of
// the machine already knew, for the first sample (see sampler.FirstSeen).
func NewReconciler(seen sampler.FirstSeen) *Reconciler {
	return &Reconciler{
		firstSeen:   seen,
		adjust:      newAdjustments(),
		udpAdjusted: map[sampler.ID]struct{}{},
		recent:      newRecentGone(recentGoneTTL, recentGoneLimit),
		audit:       audit{halfOpen: map[sampler.ID]struct{}{}},
		pending:     map[uint64]sampler.Transition{},
	}
}

// SetQuery says the source was asked for q from the next sample on: that
// sample's events are reviewed against the query its base was taken under
// (a socket that left the view did not close; one that came into view did
// not open), and a release the query leaves out reports nothing.
func (r *Reconciler) SetQuery(q sampler.Query) {
	if r.queryFrom == nil && r.sampled { // several changes before a sample: base's query counts
		old := r.query
		r.queryFrom = &old
	}
	r.query = q
}

// Sample reconciles a successful sample, taken at now (next.Time, stamped
// now when unset), with base and the releases since, and makes it the new
// base. read is the kernel's counters read with it (see Reading; nil
// fields keep the last reading). next may be changed (sockets a release
// said were gone are dropped from it, the first sample's sockets get their
// first-seen times) and is kept as base: the caller must not write to it
// afterwards. The first sample's opens are Existing, and its counters
// start the audit only if read as its dump ended (see audit.sampled).
func (r *Reconciler) Sample(now time.Time, next *sampler.Snapshot, read Reading) []sampler.Event {
	r.resolvePending(next, false, nil)
	return r.sample(now, next, read, false)
}

// sample is Sample, or with check a consistency check's (see Check).
func (r *Reconciler) sample(now time.Time, next *sampler.Snapshot, read Reading, check bool) []sampler.Event {
	events, first, before := r.reconcile(now, next, read, check, nil)
	r.rebased(*next, read, first, before)
	return events
}

// reconcile is sample but for the new base: the events of next against
// the table, with f's rows seen left out of both (see CheckKept). first:
// next is the first sample; before: the audit's count before it.
func (r *Reconciler) reconcile(now time.Time, next *sampler.Snapshot, read Reading, check bool, f *checkFilter) (events []sampler.Event, first bool, before uint64) {
	if next.Time.IsZero() {
		next.Time = now
	}
	r.recent.expire(next.Time)
	before = r.audit.ReportedTCP
	if r.deferExisting(check) {
		r.stampExisting(next)
	} else {
		events = r.diffBase(next, f)
		events = r.dropReopened(events, next)
		r.audit.trackHandshakes(events)
		if !r.sampled {
			r.carryFirstSeen(events, next)
		}
	}
	if r.queryFrom != nil {
		events = reviewAfterQueryChange(events, r.queryFrom, &r.query)
		r.queryFrom = nil
	}
	if check {
		events = r.judgeCheck(events)
	}
	for i := range events {
		switch events[i].Kind {
		case sampler.Opened:
			if !r.sampled {
				events[i].Existing = true
			}
			if !events[i].Existing {
				r.audit.countReported(&events[i].Socket)
			}
		case sampler.Closed:
			r.recent.add(releaseKey(events[i].Socket.ID), next.Time, false)
		}
	}
	r.vanished.add(events, next.Time)
	first = !r.sampled
	r.sampled = true
	return events, first, before
}

// rebased makes table, a sample's, the new base, and its reading the
// audit's.
func (r *Reconciler) rebased(table sampler.Snapshot, read Reading, first bool, before uint64) {
	r.rebase(table)
	r.twq.built, r.dirty = false, false // the sample is published as the table
	r.audit.sampled(read, first, before)
}

// diffBase diffs next against the table: base as patchForDiff changes it.
// A base indexed already (a check under churn: releases and transitions
// looked sockets up) lends its index to the diff, which then indexes only
// what is not in base (sampler.DiffIndexed): a check of a 100k-socket
// table made a 2.7 MB index of it while its two tables were alive. A base
// not indexed yet is not indexed for this: the index would be built again
// for the new base at its first use.
func (r *Reconciler) diffBase(next *sampler.Snapshot, f *checkFilter) []sampler.Event {
	patch := r.patchForDiff()
	if f != nil { // the rows seen are in neither (see CheckKept)
		if patch.Rows == nil {
			patch.Rows = r.diffScratch.rows(len(r.base.Sockets))
		}
		for i := range patch.Rows {
			if f.has(i) {
				patch.Rows[i] = -1
			}
		}
	}
	if r.baseIndex.lendable() {
		return r.differ.DiffIndexed(r.base, patch, next, &r.baseIndex)
	}
	return r.differ.DiffPatched(r.base, patch, next)
}

// Base is the last sample as it was taken: releases since are not applied.
func (r *Reconciler) Base() sampler.Snapshot { return r.base }

// Sampled reports whether a sample has succeeded.
func (r *Reconciler) Sampled() bool { return r.sampled }

// Audit is the reconciler's accounting against the kernel's counters.
func (r *Reconciler) Audit() Audit { return r.audit.Audit }
