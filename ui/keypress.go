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
	return handlerOf(modeOf(m.screen()))(m, msg)
}

// helpKey closes the `?` overlay on ?, esc or q, and scrolls it otherwise.
func (m Model) helpKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
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
		// At once, whatever the table's size: the rows on screen are
		// selected; the next batch's rows come sorted (see tablePrep).
		m.table.SortLater(m.table.Sort().Next())
	case key.Matches(msg, k.Focus):
		m.focus = 1 - m.focus
	case key.Matches(msg, k.Map):
		m.views.main = 1 - m.views.main
	case key.Matches(msg, k.Churn):
		m.views.side = 1 - m.views.side
	case key.Matches(msg, k.Netns):
		m.nextNetns()
	case key.Matches(msg, k.Explain):
		m.openExplain()
	case key.Matches(msg, k.Pause) && m.cfg.Replay == nil:
		m.togglePause()
	case key.Matches(msg, k.CloseConn), key.Matches(msg, k.StopOwner):
		m.ask(msg)
	default:
		if m.cfg.Replay != nil {
			if ok, cmd := m.replayKey(msg); ok {
				return m, cmd
			}
		}
		return m.paneKey(msg)
	}
	return m, nil
}

// mapModeKey gives the map its keys first; the rest are the screen's.
func (m Model) mapModeKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if next, cmd, done := m.mapKey(msg); done {
		return next, cmd
	}
	return m.mainKey(msg)
}

// paneKey gives a key the screen did not take to the focused pane, through
// the pane's own Update and KeyMap. The churn panel has no keys of its own
// yet; the feed under it keeps its scrolling keys, as before the panel.
func (m Model) paneKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch modeOf(m.screen()) {
	case modeFeed:
		m.feed, cmd = m.feed.Update(msg)
	case modeChurn:
		var feedCmd tea.Cmd
		ch := m.views.shownChurn()
		*ch, cmd = ch.Update(msg)
		m.feed, feedCmd = m.feed.Update(msg)
		cmd = tea.Batch(cmd, feedCmd)
	default: // the table, and the map's keys the map did not take
		m.table, cmd = m.table.Update(msg)
	}
	return m, cmd
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
