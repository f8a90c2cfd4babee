package ui

import tea "github.com/charmbracelet/bubbletea"

// mode is who has the keyboard. The overlays (the filter line, help, the
// explain pane) take every key while open; otherwise the pane with the focus
// takes the keys the screen does not.
type mode uint8

const (
	modeTable   mode = iota // the socket table has the main area and the focus
	modeFeed                // the event feed has the side and the focus
	modeChurn               // the churn panel has the side and the focus
	modeMap                 // the port map has the main area and the focus
	modeExplain             // the explain pane is open
	modeHelp                // the `?` overlay is open
	modeFilter              // the filter line is open
	modeConfirm             // a yes/no question waits (x, K): every key answers it
)

var modeNames = [...]string{"table", "feed", "churn", "map", "explain", "help", "filter", "confirm"}

func (md mode) String() string {
	if int(md) < len(modeNames) {
		return modeNames[md]
	}
	return "mode?"
}

// screen is what decides the mode: which overlays are open and what fills
// the main area and the side, and which of the two has the focus.
type screen struct {
	confirmOpen                       bool
	filterOpen, helpOpen, explainOpen bool
	main                              mainView
	side                              sidePanel
	focus                             focus
}

func (m Model) screen() screen {
	return screen{
		confirmOpen: m.confirm.Active(),
		filterOpen:  m.bar.IsOpen(),
		helpOpen:    m.showHelp,
		explainOpen: m.explain.IsOpen(),
		main:        m.views.main,
		side:        m.views.side,
		focus:       m.focus,
	}
}

// modeOf is the mode a screen is in. The filter line outranks help, which
// outranks the explain pane (help opened over a pane closes first); then the
// focused area says whose keys the movement keys are.
func modeOf(s screen) mode {
	switch {
	case s.confirmOpen: // a question outranks everything: no key slips past it
		return modeConfirm
	case s.filterOpen:
		return modeFilter
	case s.helpOpen:
		return modeHelp
	case s.explainOpen:
		return modeExplain
	case s.focus == focusTable && s.main == viewMap:
		return modeMap
	case s.focus == focusTable:
		return modeTable
	case s.side == sideChurn:
		return modeChurn
	}
	return modeFeed
}

// keyHandler takes one key in a mode.
type keyHandler func(Model, tea.KeyMsg) (tea.Model, tea.Cmd)

// handlerOf is the handler of a mode's keys: each overlay has its own; the
// map takes its keys before the screen's (its hjkl, enter and i are its own);
// the table, the feed and the churn panel take what the screen's keys leave.
func handlerOf(md mode) keyHandler {
	switch md {
	case modeConfirm:
		return Model.confirmKey
	case modeFilter:
		return Model.filterLineKey
	case modeHelp:
		return Model.helpKey
	case modeExplain:
		return Model.explainKey
	case modeMap:
		return Model.mapModeKey
	}
	return Model.mainKey
}
