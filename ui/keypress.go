package ui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/ui/explainpane"
	"github.com/porttop/porttop/ui/filterbar"
)

// handleKey sends a key to whatever has the keyboard: the filter line, the
// help overlay, the explain pane, or the main screen. Runes read together
// (fast typing, a paste, a link that batches keystrokes) arrive as one
// message; outside the filter line they are the keys they are, one by one.
func (m Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !m.bar.IsOpen() {
		return m.eachRune(msg)
	}
	return m.oneKey(msg)
}

// eachRune handles runes that arrived in one message in order, as if typed
// apart. Once a key opens the filter line, the rest is its text, whole; once
// a key quits, the rest are dropped.
func (m Model) eachRune(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	for i := range msg.Runes {
		one := msg
		if m.bar.IsOpen() {
			one.Runes = msg.Runes[i:]
		} else {
			one.Runes = msg.Runes[i : i+1]
		}
		next, cmd := m.oneKey(one)
		m = next.(Model)
		cmds = append(cmds, cmd)
		if len(one.Runes) > 1 || m.quitting() {
			break
		}
		m.layout() // a key that opened a pane sized it for the next
	}
	return m, tea.Batch(cmds...)
}

// quitting reports whether a key has quit: quit ends the model's context.
func (m Model) quitting() bool { return m.ctx.Err() != nil }

func (m Model) oneKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if msg.String() == "ctrl+c" {
		return m.quit()
	}
	switch {
	case m.bar.IsOpen():
		return m.filterLineKey(msg)
	case m.showHelp:
		if key.Matches(msg, m.keys.Help, m.keys.Close, m.keys.Quit) {
			m.showHelp = false
			m.helpPane.Close()
			return m, nil
		}
		if paneHomeEnd(&m.helpPane, m.keys, msg) {
			return m, nil
		}
		var cmd tea.Cmd
		m.helpPane, cmd = m.helpPane.Update(msg)
		return m, cmd
	case m.explain.IsOpen():
		return m.explainKey(msg)
	}
	return m.mainKey(msg)
}

// filterLineKey edits the filter line, and says so when it is full rather
// than dropping what did not fit unnoticed.
func (m Model) filterLineKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	next, cmd := m.filterKey(msg)
	nm := next.(Model)
	if nm.bar.IsOpen() && nm.bar.Full() {
		nm.status.fail(fmt.Sprintf("the filter line holds at most %d characters: the rest was not taken", filterbar.MaxLen))
	}
	return nm, cmd
}

func (m Model) mainKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	if m.views.main == viewMap && m.focus == focusTable {
		if next, cmd, done := m.mapKey(msg); done {
			return next, cmd
		}
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.openHelp()
	case key.Matches(msg, k.Filter):
		return m, m.bar.Open(m.filterText())
	case key.Matches(msg, k.Close):
		// Closing what was opened comes first; only on the plain table and
		// feed does esc clear the filter.
		if m.views.main != viewTable || m.views.side != sideFeed {
			m.views.main, m.views.side = viewTable, sideFeed
			return m, nil
		}
		if !m.filter.IsZero() {
			return m.clearFilter()
		}
	case key.Matches(msg, k.Sort):
		m.table.SetSort(m.table.Sort().Next())
	case key.Matches(msg, k.Focus):
		m.focus = 1 - m.focus
	case key.Matches(msg, k.Map):
		m.views.main = 1 - m.views.main
	case key.Matches(msg, k.Churn):
		m.views.side = 1 - m.views.side
	case key.Matches(msg, k.Explain):
		m.openExplain()
	case key.Matches(msg, k.Pause) && m.cfg.Replay == nil:
		m.togglePause()
	default:
		if m.cfg.Replay != nil {
			if ok, cmd := m.replayKey(msg); ok {
				return m, cmd
			}
		}
		m.moveKey(msg)
	}
	return m, nil
}

// moveKey scrolls whichever pane has the focus.
func (m *Model) moveKey(msg tea.KeyMsg) {
	k := m.keys
	if m.focus == focusFeed {
		switch {
		case key.Matches(msg, k.Up):
			m.feed.ScrollBy(-1)
		case key.Matches(msg, k.Down):
			m.feed.ScrollBy(1)
		case key.Matches(msg, k.PageUp):
			m.feed.ScrollBy(-m.feed.Page())
		case key.Matches(msg, k.PageDown):
			m.feed.ScrollBy(m.feed.Page())
		case key.Matches(msg, k.Home):
			m.feed.Top()
		case key.Matches(msg, k.End):
			m.feed.Bottom()
		}
		return
	}
	switch {
	case key.Matches(msg, k.Up):
		m.table.MoveBy(-1)
	case key.Matches(msg, k.Down):
		m.table.MoveBy(1)
	case key.Matches(msg, k.PageUp):
		m.table.PageUp()
	case key.Matches(msg, k.PageDown):
		m.table.PageDown()
	case key.Matches(msg, k.Home):
		m.table.Home()
	case key.Matches(msg, k.End):
		m.table.End()
	}
}

func (m Model) explainKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.keys.Close, m.keys.Explain, m.keys.Quit) {
		m.explain.Close()
		return m, nil
	}
	if paneHomeEnd(&m.explain, m.keys, msg) {
		return m, nil
	}
	var cmd tea.Cmd
	m.explain, cmd = m.explain.Update(msg)
	return m, cmd
}

// paneHomeEnd scrolls a pane to its top or bottom on home or end, keys the
// pane's own scrolling does not know.
func paneHomeEnd(p *explainpane.Model, k KeyMap, msg tea.KeyMsg) bool {
	switch {
	case key.Matches(msg, k.Home):
		p.Top()
	case key.Matches(msg, k.End):
		p.Bottom()
	default:
		return false
	}
	return true
}

func (m Model) quit() (tea.Model, tea.Cmd) {
	m.cancel()
	return m, tea.Quit
}
