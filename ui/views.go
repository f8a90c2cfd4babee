package ui

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/filter"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/churn"
	"github.com/porttop/porttop/ui/portmap"
)

// mainView is what fills the main area: the socket table or the port map
// (`m` swaps them).
type mainView uint8

const (
	viewTable mainView = iota
	viewMap
)

// sidePanel is what fills the side (or bottom) area: the event feed or the
// churn panel (`c` swaps them).
type sidePanel uint8

const (
	sideFeed sidePanel = iota
	sideChurn
)

// views holds the port map and the churn panel. Both see every batch, paused
// or not: the churn history counts seconds and must not skip any.
//
// They show one network namespace at a time (scope, N picks): churn counts
// every namespace, always (the header's warnings are the machine's), and
// nsChurn the chosen one while one is chosen, against its own range; the
// map shows the chosen one.
type views struct {
	main    mainView
	side    sidePanel
	portmap portmap.Model
	churn   churn.Model
	nsChurn churn.Model
	scope   nsScope
	// own is porttop's namespace's range (Config.Ephemeral), warn the
	// threshold, churnStyles the panel's: what a new nsChurn is made of.
	own         ports.Range
	warn        float64
	churnStyles churn.Styles
	// last is the newest snapshot taken in (sockets shared with the feed's
	// batch, read only) and its moment, so a new choice shows at once.
	last sampler.Snapshot
	// digest is the churn panel's digest of last, when one was made off
	// the UI goroutine, for the batches of events alone (observeEvents).
	digest *churn.Digest
	// nsDigest is the chosen namespace's panel's digest of last, made on
	// the UI goroutine with nsDig, for the same batches; nil after a new
	// choice.
	nsDigest *churn.Digest
	nsDig    *churn.Digester // shared by the Model's copies (it holds a lock)
}

func newViews(m *Model) views {
	st := churn.NewStyles(m.styles)
	return views{
		portmap:     portmap.New(portmap.NewStyles(m.styles), m.cfg.Ephemeral),
		churn:       churn.New(st, m.cfg.Ephemeral, m.cfg.Warn).SetOwnNetns(m.cfg.OwnNetns),
		scope:       nsScope{own: m.cfg.OwnNetns},
		own:         m.cfg.Ephemeral,
		warn:        m.cfg.Warn,
		churnStyles: st,
	}
}

// shownChurn is the churn panel on screen: the chosen namespace's, or all.
func (v *views) shownChurn() *churn.Model {
	if v.scope.sel != 0 {
		return &v.nsChurn
	}
	return &v.churn
}

// observe passes a batch on. Their clock is the feed's (a replay's time when
// replaying), which the snapshot carries.
// listeners are the batch snapshot's, already found; digest is the churn
// panel's, made off the UI goroutine, or nil. It returns, for the status
// line, the label of a chosen namespace the batch no longer lists.
func (v *views) observe(b sampler.Batch, now time.Time, listeners *sampler.Listeners, digest *churn.Digest) (gone string) {
	return v.take(b, now, listeners, digest, false)
}

// take is observe; kept: b's table is last (see observeEvents).
func (v *views) take(b sampler.Batch, now time.Time, listeners *sampler.Listeners, digest *churn.Digest, kept bool) (gone string) {
	at := b.Snapshot.Time
	if at.IsZero() {
		at = now
	}
	before := v.scope.label()
	gone = v.scope.follow(b.NetnsRanges)
	if v.scope.label() != before || v.scope.rangeOf(v.own) != v.scopedRange() {
		v.rescope(false) // a namespace came or went, or its range changed
	}
	// The machine's panel: each namespace's sockets against its own range.
	v.digest = digest // nil: none made off the UI goroutine (counted below)
	v.churn = v.churn.SetNetnsRanges(b.NetnsRanges).ObserveDigest(b.Snapshot, b.Events, at, listeners, digest)
	v.churn = v.churn.ObserveFailures(b.Failures)
	snap, events, ls := v.scope.pick(b.Snapshot, b.Events, listeners)
	v.portmap = v.portmap.ObserveWithListeners(snap, events, at, ls)
	if v.scope.sel != 0 {
		if !kept || v.nsDigest == nil {
			if v.nsDig == nil {
				v.nsDig = new(churn.Digester)
			}
			v.nsDigest = v.nsChurn.Digest(snap.Sockets, ls, v.nsDig)
		}
		v.nsChurn = v.nsChurn.ObserveDigest(snap, events, at, ls, v.nsDigest)
	}
	v.last = b.Snapshot
	v.last.Time = at
	return gone
}

// observeEvents takes in a machine-wide batch whose table is the one
// observed last (live.Batch.TableKept): the churn panel its events with
// the digest of that table (its figures stand), stamped at the newest
// event rather than the table's time (the panel counts the events of its
// time's second as the sample's, spread over the seconds since the one
// before); the map its events.
func (v *views) observeEvents(b sampler.Batch, now time.Time, listeners *sampler.Listeners) (gone string) {
	if n := len(b.Events); n > 0 && b.Events[n-1].Time.After(b.Snapshot.Time) {
		b.Snapshot.Time = b.Events[n-1].Time
	}
	if !sampler.SameRows(b.Snapshot.Sockets, v.last.Sockets) {
		return v.observe(b, now, listeners, nil)
	}
	return v.take(b, now, listeners, v.digest, true)
}

// scopedRange is the range the map and the chosen panel count against now.
func (v *views) scopedRange() ports.Range {
	if v.scope.sel != 0 {
		return v.nsChurn.Ephemeral()
	}
	return v.churn.Ephemeral()
}

// nextScope shows the next namespace (N): all, porttop's own, then the
// others the source reads.
func (v *views) nextScope() {
	v.scope.next()
	v.rescope(true)
}

// rescope labels the panels and gives them the chosen namespace's range.
// fresh (a new choice) starts the chosen panel's history over, from the
// newest snapshot, so the choice shows at once rather than a batch later.
func (v *views) rescope(fresh bool) {
	v.nsDigest = nil // of the namespace chosen before
	r := v.scope.rangeOf(v.own)
	label := v.scope.label()
	v.portmap = v.portmap.SetEphemeral(r).SetScope(label)
	v.churn = v.churn.SetScope(label)
	switch {
	case v.scope.sel == 0:
		v.nsChurn = churn.Model{}
	case fresh || v.nsChurn.Scope() == "":
		w, h := v.churn.Size()
		v.nsChurn = churn.New(v.churnStyles, r, v.warn).SetScope(label)
		v.nsChurn.SetSize(w, h)
	default:
		v.nsChurn = v.nsChurn.SetEphemeral(r).SetScope(label)
	}
	if fresh && !v.last.Time.IsZero() {
		var all sampler.Listeners
		all.Reset(v.last.Sockets)
		snap, _, ls := v.scope.pick(v.last, nil, &all)
		v.portmap = v.portmap.ObserveWithListeners(snap, nil, v.last.Time, ls)
		if v.scope.sel != 0 {
			v.nsChurn = v.nsChurn.ObserveWithListeners(snap, nil, v.last.Time, ls)
		}
	}
}

// followOwnRange takes in a change of porttop's own namespace's range:
// every panel counting against it follows.
func (v *views) followOwnRange(r ports.Range) {
	v.own = r
	v.churn = v.churn.SetEphemeral(r)
	if v.scope.rangeOf(r) == r {
		v.portmap = v.portmap.SetEphemeral(r)
		if v.scope.sel != 0 {
			v.nsChurn = v.nsChurn.SetEphemeral(r)
		}
	}
}

// mapKey handles a key while the map has the main area and the focus:
// enter (or i) filters the table to the cursor's block and shows it;
// movement keys go to the map.
func (m Model) mapKey(msg tea.KeyMsg) (tea.Model, tea.Cmd, bool) {
	if key.Matches(msg, m.keys.Explain) {
		r := m.views.portmap.Selected()
		f, err := filter.Parse(r.String(), m.cfg.Ephemeral)
		if err != nil { // cannot happen for a range the map made; say so if it does
			m.status.fail("map: " + err.Error())
			return m, nil, true
		}
		m.setFilter(f)
		m.views.main = viewTable
		m.status.info("filter: " + f.String() + " (from the map)")
		m.tellFilter()
		return m, nil, true
	}
	var cmd tea.Cmd
	before := m.views.portmap.Selected()
	m.views.portmap, cmd = m.views.portmap.Update(msg)
	moved := m.views.portmap.Selected() != before
	return m, cmd, moved || isMapMove(m.views.portmap.KeyMap(), msg)
}

func isMapMove(k portmap.KeyMap, msg tea.KeyMsg) bool {
	return key.Matches(msg, k.Up, k.Down, k.Left, k.Right, k.PageUp, k.PageDown, k.Home, k.End)
}
