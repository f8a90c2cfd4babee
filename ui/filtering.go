package ui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler/filter"
)

// filterKey handles keys while the `/` line is open: Enter applies (an
// empty line clears the filter), Esc cancels the edit, closing the line and
// keeping the filter in force, as esc leaves a shell's or less's search
// line; anything else edits.
func (m Model) filterKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Apply):
		text := m.bar.Value()
		f, err := filter.Parse(text, m.cfg.Ephemeral)
		if err != nil {
			// The old filter stays in force; the line stays open to fix it.
			m.status.fail("filter not applied: " + err.Error())
			return m, nil
		}
		m.bar.Close()
		m.setFilter(f)
		if f.IsZero() {
			m.status.info("filter cleared")
		} else {
			m.status.info("filter: " + f.String())
		}
		m.tellFilter()
		return m, nil
	case key.Matches(msg, m.keys.Cancel):
		m.bar.Close()
		if m.filter.IsZero() {
			m.status.clear()
		} else {
			m.status.info("edit cancelled; filter still " + m.filter.String())
		}
		return m, nil
	}
	var cmd tea.Cmd
	m.bar, cmd = m.bar.Update(msg)
	return m, cmd
}

func (m Model) clearFilter() (tea.Model, tea.Cmd) {
	had := !m.filter.IsZero()
	m.setFilter(filter.Filter{})
	if had {
		m.status.info("filter cleared")
	} else {
		m.status.clear()
	}
	m.tellFilter()
	return m, nil
}

// setFilter narrows the table and feed; the header stays machine-wide.
func (m *Model) setFilter(f filter.Filter) {
	m.filter = f
	if f.IsZero() {
		m.table.SetFilter(nil)
		m.feed.SetFilter(nil)
	} else {
		m.table.SetFilter(f.Match)
		m.feed.SetFilter(f.MatchEvent)
	}
	m.table.Rebuild()
}

func (m Model) filterText() string {
	if m.filter.IsZero() {
		return ""
	}
	return m.filter.String()
}

// singlePort is the port the user is asking about, when the filter is one.
func (m Model) singlePort() (uint16, bool) {
	if m.filter.IsZero() {
		return 0, false
	}
	return m.filter.SinglePort()
}
