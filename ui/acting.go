package ui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/ui/confirm"
)

// Acting on the machine from the table: x closes the connection under the
// cursor (as ss -K does), K stops the process that holds it. Each asks
// first (ui/confirm); only a yes acts, off the UI goroutine, and the status
// line says what happened or why not.

// actedMsg is what an action did.
type actedMsg struct {
	ask confirm.Ask
	err error
}

// ask opens the question for the row under the cursor.
func (m *Model) ask(msg tea.KeyMsg) {
	s, ok := m.table.Selected()
	if !ok {
		m.status.fail("no row under the cursor to act on")
		return
	}
	a := confirm.Ask{Action: confirm.CloseConn, Socket: s}
	if key.Matches(msg, m.keys.StopOwner) {
		if s.PID <= 0 || s.Owner.Gone {
			m.status.fail("no process holds this socket now: nothing to stop")
			return
		}
		a.Action = confirm.StopOwner
	}
	m.confirm = m.confirm.Open(a)
}

// confirmKey gives the open question its key: the answer comes back as a
// confirm.AnsweredMsg.
func (m Model) confirmKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	m.confirm, cmd = m.confirm.Update(msg)
	return m, cmd
}

// answered acts on a yes, in a command so that the kernel or the signal
// never holds up a keypress.
func (m Model) answered(ans confirm.AnsweredMsg) (tea.Model, tea.Cmd) {
	if !ans.Yes || m.cfg.Act == nil {
		m.status.info("nothing done")
		return m, nil
	}
	act, a := m.cfg.Act, ans.Ask
	return m, func() tea.Msg {
		var err error
		switch a.Action {
		case confirm.CloseConn:
			err = act.Close(a.Socket)
		case confirm.StopOwner:
			err = act.Stop(a.Socket.PID)
		}
		return actedMsg{ask: a, err: err}
	}
}

// acted says on the status line what the action did.
func (m Model) acted(msg actedMsg) (tea.Model, tea.Cmd) {
	s := msg.ask.Socket
	switch {
	case msg.err != nil:
		m.status.fail(msg.err.Error())
	case msg.ask.Action == confirm.CloseConn:
		m.status.info(fmt.Sprintf("closed %s %s", s.Proto, s.Local))
	default:
		m.status.info(fmt.Sprintf("sent SIGTERM to pid %d", s.PID))
	}
	return m, nil
}
