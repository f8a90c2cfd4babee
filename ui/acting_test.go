package ui

import (
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/confirm"
)

// Closing a connection (x) and stopping its process (K) from the table:
// never without a yes, and what happened on the status line.

type fakeActions struct {
	closed  []sampler.Socket
	stopped []int32
	err     error
}

func (f *fakeActions) Close(s sampler.Socket) error { f.closed = append(f.closed, s); return f.err }
func (f *fakeActions) Stop(pid int32) error         { f.stopped = append(f.stopped, pid); return f.err }

// drive sends msg and runs what it answers with, as the program would, as
// long as those are the question's and the action's messages.
func drive(m Model, msg tea.Msg) Model {
	next, cmd := m.Update(msg)
	m = next.(Model)
	for cmd != nil {
		out := cmd()
		switch out.(type) {
		case confirm.AnsweredMsg, actedMsg:
			next, cmd = m.Update(out)
			m = next.(Model)
		default:
			cmd = nil
		}
	}
	return m
}

func actingModel(t *testing.T, act Actions) Model {
	t.Helper()
	c := &clock{t: t0}
	cfg := testConfig(c)
	cfg.Act = act
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, firstBatch(t0, baseSockets()))
}

func TestCloseAndStopAskFirst(t *testing.T) {
	fa := &fakeActions{}
	m := actingModel(t, fa)
	sel, ok := m.table.Selected()
	if !ok {
		t.Fatal("no row under the cursor")
	}

	// x asks; any key but y answers no, and nothing is done.
	m = drive(m, runes("x"))
	if modeOf(m.screen()) != modeConfirm || !strings.Contains(m.View(), "close tcp "+sel.Local.String()) {
		t.Fatalf("x did not ask about the cursor's socket:\n%s", m.View())
	}
	m = drive(m, runes("q")) // not a quit: the question takes every key
	if len(fa.closed) != 0 || modeOf(m.screen()) == modeConfirm || !strings.Contains(m.View(), "nothing done") {
		t.Fatalf("no answered with %d closes, mode %v:\n%s", len(fa.closed), modeOf(m.screen()), m.View())
	}

	// x then y closes exactly the socket asked about.
	m = drive(m, runes("x"))
	m = drive(m, runes("y"))
	if len(fa.closed) != 1 || fa.closed[0].ID != sel.ID {
		t.Fatalf("closed %v, want the cursor's socket %v", fa.closed, sel.ID)
	}
	if !strings.Contains(m.View(), "closed tcp "+sel.Local.String()) {
		t.Errorf("the status line does not say it was closed:\n%s", m.View())
	}

	// K stops the owner, after a yes.
	m = drive(m, runes("K"))
	m = drive(m, runes("y"))
	if len(fa.stopped) != 1 || fa.stopped[0] != sel.PID {
		t.Errorf("stopped %v, want pid %d", fa.stopped, sel.PID)
	}

	// A refusal is said as the action said it.
	fa.err = errors.New("closing a connection needs root (CAP_NET_ADMIN)")
	m = drive(m, runes("x"))
	m = drive(m, runes("y"))
	if !strings.Contains(m.View(), "needs root") {
		t.Errorf("the refusal is not on the status line:\n%s", m.View())
	}
}

// Without actions (a replay, a remote stream) the keys do nothing and help
// does not offer them.
func TestNoActionsNoKeys(t *testing.T) {
	m := actingModel(t, nil)
	m = drive(m, runes("x"))
	m = drive(m, runes("K"))
	if modeOf(m.screen()) == modeConfirm {
		t.Error("a question opened with no way to act")
	}
	m = drive(m, runes("?"))
	if v := m.View(); strings.Contains(v, "close connection") {
		t.Errorf("help offers a key that does nothing:\n%s", v)
	}
	m = actingModel(t, &fakeActions{})
	m = drive(m, runes("?"))
	if v := m.View(); !strings.Contains(v, "close connection") {
		t.Errorf("help does not offer x:\n%s", v)
	}
}
