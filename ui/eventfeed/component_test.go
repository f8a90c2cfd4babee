package eventfeed

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
)

func keyOf(k string) tea.KeyMsg {
	switch k {
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "ctrl+b":
		return tea.KeyMsg{Type: tea.KeyCtrlB}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// TestUpdateScrolls: the feed's own keys scroll it on their own, with no
// parent: down goes back in time, up towards the newest, a page is the
// lines shown less one, home the newest and end the oldest screenful.
func TestUpdateScrolls(t *testing.T) {
	tests := []struct {
		keys []string
		want int // lines scrolled back
	}{
		{nil, 0},
		{[]string{"j"}, 1},
		{[]string{"down", "down", "k"}, 1},
		{[]string{"up"}, 0},     // clamped at the newest
		{[]string{"pgdown"}, 4}, // a page: 6 lines shown, less two
		{[]string{"pgdown", "ctrl+b"}, 0},
		{[]string{"pgdown", "pgup"}, 0},
		{[]string{"G"}, 100 - 5}, // the oldest screenful
		{[]string{"end", "g"}, 0},
		{[]string{"end", "home"}, 0},
		{[]string{"end", "j"}, 100 - 4}, // down clamps at the oldest line
		{[]string{"s", "/", "x"}, 0},    // the parent's keys: ignored
	}
	for _, tt := range tests {
		m := New(styles(), 0)
		m.SetSize(80, 6)
		for i := range 100 {
			m.Add([]sampler.Event{opened(50000+i, t0.Add(time.Duration(i)*time.Second))}, t0)
		}
		for _, k := range tt.keys {
			var cmd tea.Cmd
			if m, cmd = m.Update(keyOf(k)); cmd != nil {
				t.Fatalf("the feed's Update returned a command")
			}
		}
		if m.offset != tt.want {
			t.Errorf("keys %q: scrolled back %d, want %d", tt.keys, m.offset, tt.want)
		}
	}
}

// TestKeyMapIsTheFeeds: Update matches the feed's KeyMap, replaced or not,
// and ignores messages that are not keys.
func TestKeyMapIsTheFeeds(t *testing.T) {
	m := New(styles(), 0)
	m.SetSize(80, 6)
	for i := range 20 {
		m.Add([]sampler.Event{opened(50000+i, t0)}, t0)
	}
	k := m.KeyMap()
	k.Down = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "older"))
	m.SetKeyMap(k)
	if m, _ = m.Update(keyOf("j")); m.offset != 0 {
		t.Errorf("j scrolled after Down became n")
	}
	if m, _ = m.Update(keyOf("n")); m.offset != 1 {
		t.Errorf("n did not scroll: %d", m.offset)
	}
	if m, _ = m.Update(tea.WindowSizeMsg{Width: 1, Height: 1}); m.offset != 1 || m.height != 6 {
		t.Errorf("Update took a message that is not a key")
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

// TestViewDrawsFocus: View takes no arguments; the title is marked only
// while the feed has the focus.
func TestViewDrawsFocus(t *testing.T) {
	m := New(styles(), 0)
	m.SetSize(80, 6)
	m.Add([]sampler.Event{opened(50000, t0)}, t0)
	m.SetNow(t0)
	if m.Focused() || strings.Contains(m.View(), "» EVENTS") {
		t.Errorf("a new feed has the focus:\n%s", m.View())
	}
	m.Focus()
	if v := m.View(); !m.Focused() || !strings.Contains(v, "» EVENTS") || !strings.Contains(v, "50000/tcp") {
		t.Errorf("the focused feed does not mark its title:\n%s", v)
	}
	m.Blur()
	if strings.Contains(m.View(), "» EVENTS") {
		t.Errorf("the blurred feed still marks its title")
	}
}
