package churn

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestUpdateTakesNoKeys: the panel has no keys of its own yet: its KeyMap
// lists none, and no key or other message changes what it draws or asks
// for a command (its data comes through Observe only).
func TestUpdateTakesNoKeys(t *testing.T) {
	m := scripted()
	before := viewAt(m, 80, 24)
	for _, msg := range []tea.Msg{
		tea.KeyMsg{Type: tea.KeyDown}, tea.KeyMsg{Type: tea.KeyEnd},
		tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jkgGc")},
		tea.WindowSizeMsg{Width: 20, Height: 5},
	} {
		var cmd tea.Cmd
		if m, cmd = m.Update(msg); cmd != nil {
			t.Errorf("Update(%v) returned a command", msg)
		}
	}
	if after := viewAt(m, 80, 24); after != before {
		t.Errorf("keys changed the panel:\nbefore\n%s\nafter\n%s", before, after)
	}
	if k := m.KeyMap(); len(k.ShortHelp()) != 0 || len(k.FullHelp()) != 0 {
		t.Errorf("the panel's help lists keys it does not take")
	}
}
