package ui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/ui/eventfeed"
)

// Replay speeds run from an eighth to 64 times real time, doubling.
const (
	minSpeed = 0.125
	maxSpeed = 64
)

// replayKey drives the recording; it reports whether the key was one of its.
func (m *Model) replayKey(msg tea.KeyMsg) (bool, tea.Cmd) {
	r, k := m.cfg.Replay, m.keys
	switch {
	case key.Matches(msg, k.ReplayPause, k.Pause):
		r.SetPaused(!r.Paused())
	case key.Matches(msg, k.ReplayStep):
		r.Step()
	case key.Matches(msg, k.ReplayFaster):
		r.SetSpeed(min(r.Speed()*2, maxSpeed))
	case key.Matches(msg, k.ReplaySlower):
		r.SetSpeed(max(r.Speed()/2, minSpeed))
	case key.Matches(msg, k.ReplayStart):
		r.Restart()
		return true, m.restart()
	default:
		return false, nil
	}
	return true, nil
}

// restart forgets what the replay showed so far: it is about to be sent again.
func (m *Model) restart() tea.Cmd {
	sort := m.table.Sort()
	m.table = m.newTable()
	m.table.SetSort(sort)
	m.feed = eventfeed.New(m.styles, eventfeed.DefaultCapacity)
	m.setFilter(m.filter)
	m.history = newPortHistory()
	main, side := m.views.main, m.views.side
	m.views = newViews(m)
	m.views.main, m.views.side = main, side
	m.stats = stats{}
	m.stats.rates.Start(m.now())
	m.paused = pausedDisplay{}
	m.layout()
	if m.feedDone {
		m.feedDone = false
		return nextBatch(m.ctx, m.cfg.Feed, 0, m.filterSet, m.prep) // the feed had ended: ask again
	}
	return nil
}

// badges are the header's mode flags.
func (m Model) badges() []string {
	var b []string
	if m.paused.on {
		b = append(b, "PAUSED")
	}
	if r := m.cfg.Replay; r != nil {
		done, total := r.Progress()
		s := fmt.Sprintf("REPLAY %gx %d/%d", r.Speed(), done, total)
		if r.Paused() {
			s = "REPLAY paused " + s[len("REPLAY "):]
		}
		if m.feedDone {
			s += " end"
		}
		b = append(b, s)
	}
	return b
}
