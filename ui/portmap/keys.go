package portmap

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// KeyMap is the map's keys. It implements help.KeyMap. Filter is handled by
// the parent (it reads Selected); it is here so that help lists it.
type KeyMap struct {
	Up, Down, Left, Right, PageUp, PageDown, Home, End key.Binding
	Filter                                             key.Binding
}

// DefaultKeyMap is the map's keys: arrows or hjkl move one cell, pgup/pgdn
// jump between range boundaries, home/end go to port 0 and 65535.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "up a row", "up", "k"),
		Down:     b("↓/j", "down a row", "down", "j"),
		Left:     b("←/h", "previous block", "left", "h"),
		Right:    b("→/l", "next block", "right", "l"),
		PageUp:   b("pgup", "previous boundary", "pgup", "ctrl+b"),
		PageDown: b("pgdn", "next boundary", "pgdown", "ctrl+f"),
		Home:     b("home/g", "port 0", "home", "g"),
		End:      b("end/G", "port 65535", "end", "G"),
		Filter:   b("enter", "filter to block", "enter"),
	}
}

// ShortHelp is the one-line help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Left, k.Right, k.PageDown, k.Filter}
}

// FullHelp is the help overlay's columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Left, k.Right},
		{k.PageUp, k.PageDown, k.Home, k.End},
		{k.Filter},
	}
}

// KeyMap returns the model's keys, for the parent's help bubble.
func (m Model) KeyMap() KeyMap { return m.keys }

// Update moves the cursor on key presses; it ignores every other message and
// never returns a command.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	g := m.geometry()
	cell := g.cellOf(m.cursor)
	last := g.cells() - 1
	switch {
	case key.Matches(km, m.keys.Left):
		cell--
	case key.Matches(km, m.keys.Right):
		cell++
	case key.Matches(km, m.keys.Up):
		if cell-g.cols >= 0 {
			cell -= g.cols
		}
	case key.Matches(km, m.keys.Down):
		if cell+g.cols <= last {
			cell += g.cols
		}
	case key.Matches(km, m.keys.Home):
		cell = 0
	case key.Matches(km, m.keys.End):
		cell = last
	case key.Matches(km, m.keys.PageUp):
		cell = g.cellOf(uint16(m.jump(-1)))
	case key.Matches(km, m.keys.PageDown):
		cell = g.cellOf(uint16(m.jump(+1)))
	default:
		return m, nil
	}
	cell = max(0, min(cell, last))
	m.cursor = g.cellRange(cell).Lo
	return m, nil
}

// jump is the next landmark after (dir > 0) or before (dir < 0) the cursor's
// block; it stays put when there is none.
func (m Model) jump(dir int) int {
	r := m.Selected()
	marks := landmarks(m.ephemeral)
	if dir > 0 {
		for _, p := range marks {
			if p > int(r.Hi) {
				return p
			}
		}
		return int(m.cursor)
	}
	for i := len(marks) - 1; i >= 0; i-- {
		if marks[i] < int(r.Lo) {
			return marks[i]
		}
	}
	return int(m.cursor)
}
