package confirm

import (
	"net/netip"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/style"
	"github.com/porttop/porttop/ui/theme"
)

func testStyles() style.Styles {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	return style.New(r, theme.Default)
}

var curl = sampler.Socket{
	ID:    sampler.ID{Proto: sampler.TCP, Local: netip.MustParseAddrPort("127.0.0.1:40000"), Remote: netip.MustParseAddrPort("127.0.0.1:9000")},
	Owner: sampler.Owner{PID: 4242, Process: "cu\x1b]2;x\arl"},
	State: sampler.StateEstablished,
}

func answer(t *testing.T, m Model, k tea.KeyMsg) (Model, AnsweredMsg) {
	t.Helper()
	m, cmd := m.Update(k)
	if cmd == nil {
		t.Fatalf("key %q gave no answer", k)
	}
	ans, ok := cmd().(AnsweredMsg)
	if !ok {
		t.Fatalf("key %q: %T, want AnsweredMsg", k, cmd())
	}
	return m, ans
}

// Nothing is done without an explicit yes: y is yes, every other key no.
func TestOnlyYesConfirms(t *testing.T) {
	for _, tc := range []struct {
		key tea.KeyMsg
		yes bool
	}{
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("y")}, true},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("Y")}, true},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("n")}, false},
		{tea.KeyMsg{Type: tea.KeyEnter}, false},
		{tea.KeyMsg{Type: tea.KeyEsc}, false},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")}, false},
	} {
		m := New(testStyles()).Open(Ask{Action: CloseConn, Socket: curl})
		if !m.Active() {
			t.Fatal("an open question is not active")
		}
		m, ans := answer(t, m, tc.key)
		if ans.Yes != tc.yes || ans.Ask.Socket.ID != curl.ID || ans.Ask.Action != CloseConn {
			t.Errorf("key %q: %+v, want yes=%v about the socket asked", tc.key, ans, tc.yes)
		}
		if m.Active() || m.View() != "" {
			t.Errorf("key %q: the question stays open", tc.key)
		}
	}
	// A closed line takes no key and answers nothing.
	if _, cmd := New(testStyles()).Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("y")}); cmd != nil {
		t.Error("a closed question answered a key")
	}
}

func TestQuestionNamesTheSocketAndItsOwnerSafely(t *testing.T) {
	m := New(testStyles()).Open(Ask{Action: StopOwner, Socket: curl})
	m.SetSize(200, 1)
	v := m.View()
	for _, want := range []string{"stop", "pid 4242", "SIGTERM", "127.0.0.1:40000 -> 127.0.0.1:9000", `cu\x1b]2;x\arl`, "y/N"} {
		if !strings.Contains(v, want) {
			t.Errorf("question %q lacks %q", v, want)
		}
	}
	if strings.ContainsAny(v, "\x1b\a") {
		t.Errorf("a raw control character reached the question: %q", v)
	}
	q := Question(Ask{Action: CloseConn, Socket: sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: netip.MustParseAddrPort("127.0.0.1:8080")}}})
	if !strings.Contains(q, "close tcp 127.0.0.1:8080, held by no known process") {
		t.Errorf("question without owner or remote: %q", q)
	}
	m.SetSize(20, 1)
	if w := len([]rune(m.View())); w > 20 {
		t.Errorf("question %d cells wide in 20", w)
	}
}
