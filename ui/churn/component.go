package churn

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// KeyMap is the churn panel's own keys. The panel shows the last minute
// whole and has no cursor, so it has none yet; the type is here so the
// panel takes keys through the same contract as the table, the feed and the
// map (KeyMap, Update), and the parent routes to it like to them. It
// implements help.KeyMap.
type KeyMap struct{}

// DefaultKeyMap is the panel's keys: none.
func DefaultKeyMap() KeyMap { return KeyMap{} }

// ShortHelp is the one-line help: empty.
func (k KeyMap) ShortHelp() []key.Binding { return nil }

// FullHelp is the help overlay's columns: empty.
func (k KeyMap) FullHelp() [][]key.Binding { return nil }

// SetSize sets the panel's area, its title line included.
func (m *Model) SetSize(width, height int) { m.width, m.height = width, height }

// Size is the area SetSize gave.
func (m Model) Size() (width, height int) { return m.width, m.height }

// KeyMap returns the panel's keys.
func (m Model) KeyMap() KeyMap { return DefaultKeyMap() }

// Update takes the panel's keys (none) and ignores every other message; it
// never returns a command. Batches come in through Observe.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) { return m, nil }
