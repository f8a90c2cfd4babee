package ui

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/porttop/porttop/ui/header"
)

// Below this the layout cannot show a useful table; View says so instead.
const (
	MinWidth  = 60
	MinHeight = 16
)

// sideBySideWidth is where the feed moves beside the table.
const sideBySideWidth = 140

// legendMinWidth and legendMinHeight: the legend line shows when there is
// room for it; it is always in the help overlay.
const (
	legendMinWidth  = 100
	legendMinHeight = 24
)

// areas is where each part of the screen goes.
type areas struct {
	headerH      int
	bodyH        int // table + feed (or the overlay that replaces them)
	tableW       int
	tableH       int
	feedW, feedH int
	sideBySide   bool
	legend       bool
}

func (m Model) tooSmall() bool { return m.width < MinWidth || m.height < MinHeight }

// computeAreas splits the screen. The header's height depends on its notes,
// so it is measured, not assumed.
func (m Model) computeAreas() areas {
	var a areas
	a.headerH = lipgloss.Height(header.View(m.styles, m.headerInfo(m.now()), m.width))
	a.legend = m.width >= legendMinWidth && m.height >= legendMinHeight
	bottom := lipgloss.Height(m.statusLine())
	if m.bar.IsOpen() {
		bottom++
	}
	if a.legend {
		bottom++
	}
	a.bodyH = max(m.height-a.headerH-bottom-1, 3) // -1: the blank line under the header
	if m.width >= sideBySideWidth {
		a.sideBySide = true
		a.feedW = max(m.width/3, 44)
		a.tableW = m.width - a.feedW - 1
		a.tableH, a.feedH = a.bodyH, a.bodyH
		return a
	}
	a.tableW, a.feedW = m.width, m.width
	a.feedH = max(a.bodyH/3, 4)
	a.tableH = max(a.bodyH-a.feedH-1, 2) // -1: a rule between them
	return a
}

// setFocus gives the table or the feed the focus, as m.focus says; the
// focused one marks it when drawn.
func (m *Model) setFocus() {
	m.table.Blur()
	m.feed.Blur()
	if m.focus == focusTable {
		m.table.Focus()
	} else {
		m.feed.Focus()
	}
}

// layout sizes every component for the current screen.
func (m *Model) layout() {
	m.setFocus()
	if m.width == 0 || m.height == 0 {
		return
	}
	a := m.computeAreas()
	m.table.SetSize(a.tableW, a.tableH)
	m.feed.SetSize(a.feedW, a.feedH)
	m.views.portmap.SetSize(a.tableW, a.tableH)
	m.views.churn.SetSize(a.feedW, a.feedH)
	m.views.nsChurn.SetSize(a.feedW, a.feedH)
	// The panes' text is wrapped to their width: rewrap it when that changes.
	explainW, helpW := m.explain.InnerWidth(), m.helpPane.InnerWidth()
	m.explain.SetSize(m.width, a.bodyH)
	m.helpPane.SetSize(m.width, a.bodyH)
	if m.explain.InnerWidth() != explainW {
		m.refreshExplain()
	}
	if m.showHelp && m.helpPane.InnerWidth() != helpW {
		m.helpPane.SetContent(m.helpText(m.helpPane.InnerWidth()))
	}
	m.help.Width = m.width
	m.bar.SetWidth(m.width)
}
