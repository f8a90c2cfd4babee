package eventfeed

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// KeyMap is the feed's own keys: they scroll it. It implements help.KeyMap.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
}

// DefaultKeyMap is the feed's keys: up (k) goes towards the newest line, down
// (j) back in time; pgup/pgdn a page; home (g) the newest, end (G) the oldest.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "newer", "up", "k"),
		Down:     b("↓/j", "older", "down", "j"),
		PageUp:   b("pgup", "page newer", "pgup", "ctrl+b"),
		PageDown: b("pgdn", "page older", "pgdown", "ctrl+f"),
		Home:     b("home/g", "newest", "home", "g"),
		End:      b("end/G", "oldest", "end", "G"),
	}
}

// ShortHelp is the one-line help.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down} }

// FullHelp is the help overlay's columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}}
}

// KeyMap returns the feed's keys.
func (m Model) KeyMap() KeyMap { return m.keys }

// SetKeyMap replaces the feed's keys.
func (m *Model) SetKeyMap(k KeyMap) { m.keys = k }

// Update scrolls the feed on its keys; it ignores every other message and
// never returns a command.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(km, m.keys.Up):
		m.ScrollBy(-1)
	case key.Matches(km, m.keys.Down):
		m.ScrollBy(1)
	case key.Matches(km, m.keys.PageUp):
		m.ScrollBy(-m.Page())
	case key.Matches(km, m.keys.PageDown):
		m.ScrollBy(m.Page())
	case key.Matches(km, m.keys.Home):
		m.Top()
	case key.Matches(km, m.keys.End):
		m.Bottom()
	}
	return m, nil
}

// Focus gives the feed the focus: View marks it (the title).
func (m *Model) Focus() { m.focused = true }

// Blur takes the focus away.
func (m *Model) Blur() { m.focused = false }

// Focused reports whether the feed has the focus.
func (m Model) Focused() bool { return m.focused }

// SetNow sets the moment View draws at: the parent's display clock, which
// stops while the display is paused.
func (m *Model) SetNow(now time.Time) { m.now = now }

// View draws the feed into the size SetSize gave, at the moment SetNow
// gave, marking the title when it has the focus.
func (m Model) View() string { return m.view(m.now, m.focused) }
