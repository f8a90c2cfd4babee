package portmap

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler/ports"
)

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func TestUpdateMovesCursor(t *testing.T) {
	// At 60x20 a cell is 78 ports and a row 53 cells (4,134 ports). New puts
	// the cursor on the ephemeral range's first port: 32768 is in cell 420,
	// which starts at 32760.
	tests := []struct {
		keys []string
		want ports.Range
	}{
		{nil, ports.Range{Lo: 32760, Hi: 32837}},
		{[]string{"right"}, ports.Range{Lo: 32838, Hi: 32915}},
		{[]string{"l", "l", "h"}, ports.Range{Lo: 32838, Hi: 32915}},
		{[]string{"down"}, ports.Range{Lo: 36894, Hi: 36971}},
		{[]string{"k", "k"}, ports.Range{Lo: 24492, Hi: 24569}},
		{[]string{"home"}, ports.Range{Lo: 0, Hi: 77}},
		{[]string{"home", "left", "up"}, ports.Range{Lo: 0, Hi: 77}},
		{[]string{"end"}, ports.Range{Lo: 65520, Hi: 65535}},
		{[]string{"end", "right", "down"}, ports.Range{Lo: 65520, Hi: 65535}},
		// pgdn: the next landmark after the cursor block (49152), then 60999.
		{[]string{"pgdown"}, ports.Range{Lo: 49140, Hi: 49217}},
		{[]string{"pgdown", "pgdown"}, ports.Range{Lo: 60996, Hi: 61073}},
		{[]string{"pgdown", "pgdown", "pgdown"}, ports.Range{Lo: 60996, Hi: 61073}},
		{[]string{"pgup"}, ports.Range{Lo: 1014, Hi: 1091}},
		{[]string{"pgup", "pgup", "pgup"}, ports.Range{Lo: 0, Hi: 77}},
		{[]string{"x", "enter"}, ports.Range{Lo: 32760, Hi: 32837}}, // not ours
	}
	for _, tt := range tests {
		m := New(plainStyles(), linuxEphemeral)
		viewAt(m, 60, 20)
		for _, k := range tt.keys {
			var cmd tea.Cmd
			m, cmd = m.Update(keyMsg(k))
			if cmd != nil {
				t.Errorf("keys %v: Update returned a command; want none", tt.keys)
			}
		}
		if got := m.Selected(); got != tt.want {
			t.Errorf("keys %v: Selected = %v; want %v", tt.keys, got, tt.want)
		}
	}
}

func TestCursorKeepsPortsAcrossResize(t *testing.T) {
	m := New(plainStyles(), linuxEphemeral)
	viewAt(m, 120, 40) // 17 ports a cell
	m, _ = m.Update(keyMsg("right"))
	before := m.Selected()
	viewAt(m, 60, 20)
	after := m.Selected()
	if !after.Contains(before.Lo) {
		t.Errorf("after resizing, cursor block %v no longer holds port %d (was %v)", after, before.Lo, before)
	}
}

func TestKeyMapHelp(t *testing.T) {
	km := New(plainStyles(), linuxEphemeral).KeyMap()
	if len(km.ShortHelp()) == 0 {
		t.Fatal("ShortHelp is empty")
	}
	n := 0
	for _, col := range km.FullHelp() {
		for _, b := range col {
			if b.Help().Key == "" || b.Help().Desc == "" {
				t.Errorf("binding %v has no help text", b.Keys())
			}
			n++
		}
	}
	if n != 9 {
		t.Errorf("FullHelp lists %d bindings; want all 9", n)
	}
}
