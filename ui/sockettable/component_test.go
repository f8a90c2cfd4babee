package sockettable

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
)

func press(m Model, keys ...string) Model {
	for _, k := range keys {
		var msg tea.KeyMsg
		switch k {
		case "up":
			msg = tea.KeyMsg{Type: tea.KeyUp}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		case "pgdown":
			msg = tea.KeyMsg{Type: tea.KeyPgDown}
		case "pgup":
			msg = tea.KeyMsg{Type: tea.KeyPgUp}
		case "ctrl+f":
			msg = tea.KeyMsg{Type: tea.KeyCtrlF}
		case "home":
			msg = tea.KeyMsg{Type: tea.KeyHome}
		case "end":
			msg = tea.KeyMsg{Type: tea.KeyEnd}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		var cmd tea.Cmd
		if m, cmd = m.Update(msg); cmd != nil {
			panic("the table's Update returned a command")
		}
	}
	return m
}

// TestUpdateMovesCursor: the table's own keys move the cursor, on their
// own, with no parent: one row, a page, the ends; other keys and messages
// leave it where it was.
func TestUpdateMovesCursor(t *testing.T) {
	many := sample()
	for i := range 20 {
		many = append(many, mk(sampler.TCP, "10.0.0.9:"+strconv.Itoa(40000+i), "1.1.1.1:443", sampler.StateEstablished, 1, "curl", 0))
	}
	tests := []struct {
		keys []string
		want int
	}{
		{nil, 0},
		{[]string{"j"}, 1},
		{[]string{"down", "down", "k"}, 1},
		{[]string{"up"}, 0},     // clamped at the top
		{[]string{"pgdown"}, 8}, // a screenful less one (9 rows shown)
		{[]string{"ctrl+f", "ctrl+f"}, 16},
		{[]string{"G"}, len(many) - 1}, // last row
		{[]string{"end", "pgup"}, len(many) - 9},
		{[]string{"end", "g"}, 0},
		{[]string{"end", "home"}, 0},
		{[]string{"end", "j"}, len(many) - 1}, // clamped at the bottom
		{[]string{"s", "x", "/"}, 0},          // the parent's keys: ignored
	}
	for _, tt := range tests {
		m := newTable(120, 10)
		m.Observe(many, nil, t0)
		m = press(m, tt.keys...)
		if m.cursor != tt.want {
			t.Errorf("keys %q: cursor %d, want %d", tt.keys, m.cursor, tt.want)
		}
		sel, ok := m.Selected()
		if !ok || sel.ID != m.rows[m.cursor].s.ID {
			t.Errorf("keys %q: selection %v does not follow the cursor", tt.keys, sel.ID)
		}
	}

	m := newTable(120, 10)
	m.Observe(many, nil, t0)
	if m2, cmd := m.Update(tea.WindowSizeMsg{Width: 1, Height: 1}); cmd != nil || m2.cursor != 0 || m2.height != 10 {
		t.Errorf("Update took a message that is not a key")
	}
}

// TestKeyMapIsTheTables: the keys Update matches are the KeyMap's: a
// replaced map moves the cursor on its keys and not on the defaults, and the
// help lists every binding.
func TestKeyMapIsTheTables(t *testing.T) {
	m := newTable(120, 10)
	m.Observe(sample(), nil, t0)
	k := m.KeyMap()
	k.Down = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "down"))
	m.SetKeyMap(k)
	if m = press(m, "j"); m.cursor != 0 {
		t.Errorf("j moved the cursor after Down became n")
	}
	if m = press(m, "n"); m.cursor != 1 {
		t.Errorf("n did not move the cursor: %d", m.cursor)
	}
	full := DefaultKeyMap().FullHelp()
	if len(full) != 1 || len(full[0]) != 6 || len(DefaultKeyMap().ShortHelp()) == 0 {
		t.Errorf("help lists %v", full)
	}
	for _, b := range full[0] {
		if b.Help().Key == "" || b.Help().Desc == "" || len(b.Keys()) == 0 {
			t.Errorf("binding %v has no help or no keys", b.Keys())
		}
	}
}

// viewAt draws m as the parent does: SetNow, Focus or Blur, then View.
func viewAt(m Model, now time.Time, focused bool) string {
	m.SetNow(now)
	if focused {
		m.Focus()
	} else {
		m.Blur()
	}
	return m.View()
}

// TestViewDrawsFocusAndClock: View takes no arguments; the cursor row is
// marked only while the table has the focus, and ages are drawn at the
// moment SetNow gave, not the wall clock's.
func TestViewDrawsFocusAndClock(t *testing.T) {
	m := newTable(120, 10)
	m.Observe(sample(), nil, t0)
	m.SetNow(t0)
	if m.Focused() || strings.Contains(m.View(), CursorGlyph) {
		t.Errorf("a new table has the focus:\n%s", m.View())
	}
	m.Focus()
	if !m.Focused() || !strings.Contains(m.View(), CursorGlyph) {
		t.Errorf("the focused table does not mark its cursor row:\n%s", m.View())
	}
	at0 := m.View()
	m.SetNow(t0.Add(time.Hour))
	if m.View() == at0 {
		t.Errorf("an hour later by SetNow, the ages did not move:\n%s", at0)
	}
	m.Blur()
	if strings.Contains(m.View(), CursorGlyph) {
		t.Errorf("the blurred table still marks its cursor row")
	}
}
