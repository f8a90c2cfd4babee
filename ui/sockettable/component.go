package sockettable

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// KeyMap is the table's own keys: they move the cursor. It implements
// help.KeyMap. Sorting, filtering and explaining are the parent's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
}

// DefaultKeyMap is the table's keys: arrows or j/k move a row, pgup/pgdn
// (ctrl+b/ctrl+f) a screenful, home/end (g/G) to the first or last row.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		PageUp:   b("pgup", "page up", "pgup", "ctrl+b"),
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+f"),
		Home:     b("home/g", "first", "home", "g"),
		End:      b("end/G", "last", "end", "G"),
	}
}

// ShortHelp is the one-line help.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down} }

// FullHelp is the help overlay's columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}}
}

// KeyMap returns the table's keys.
func (m Model) KeyMap() KeyMap { return m.keys }

// SetKeyMap replaces the table's keys.
func (m *Model) SetKeyMap(k KeyMap) { m.keys = k }

// Update moves the cursor on the table's keys; it ignores every other
// message and never returns a command.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(km, m.keys.Up):
		m.MoveBy(-1)
	case key.Matches(km, m.keys.Down):
		m.MoveBy(1)
	case key.Matches(km, m.keys.PageUp):
		m.PageUp()
	case key.Matches(km, m.keys.PageDown):
		m.PageDown()
	case key.Matches(km, m.keys.Home):
		m.Home()
	case key.Matches(km, m.keys.End):
		m.End()
	}
	return m, nil
}

// Focus gives the table the focus: View marks it (the cursor row).
func (m *Model) Focus() { m.focused = true }

// Blur takes the focus away.
func (m *Model) Blur() { m.focused = false }

// Focused reports whether the table has the focus.
func (m Model) Focused() bool { return m.focused }

// SetNow sets the moment View draws at: the parent's display clock, which
// stops while the display is paused.
func (m *Model) SetNow(now time.Time) { m.now = now }

// View draws the table into the size SetSize gave, at the moment SetNow
// gave, marking the cursor row when it has the focus.
func (m Model) View() string { return m.view(m.now, m.focused) }
