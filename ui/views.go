package ui

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/filter"
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
type views struct {
	main    mainView
	side    sidePanel
	portmap portmap.Model
	churn   churn.Model
}

func newViews(m *Model) views {
	return views{
		portmap: portmap.New(portmap.NewStyles(m.styles), m.cfg.Ephemeral),
		churn:   churn.New(churn.NewStyles(m.styles), m.cfg.Ephemeral, m.cfg.Warn),
	}
}

// observe passes a batch on. Their clock is the feed's (a replay's time when
// replaying), which the snapshot carries.
// listeners are the batch snapshot's, already found.
// digest is the churn panel's, made off the UI goroutine, or nil.
func (v *views) observe(b sampler.Batch, now time.Time, listeners *sampler.Listeners, digest *churn.Digest) {
	at := b.Snapshot.Time
	if at.IsZero() {
		at = now
	}
	v.portmap = v.portmap.ObserveWithListeners(b.Snapshot, b.Events, at, listeners)
	v.churn = v.churn.ObserveDigest(b.Snapshot, b.Events, at, listeners, digest)
	v.churn = v.churn.ObserveFailures(b.Failures)
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
