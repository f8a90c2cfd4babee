// Package confirm is the one-line question porttop asks before it acts on
// the machine: closing a connection (as `ss -K` does) or stopping the
// process that holds a socket. Nothing happens without an explicit yes:
// every key but the yes key answers no.
package confirm

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/safe"
	"github.com/porttop/porttop/ui/style"
)

// Action is what porttop would do.
type Action uint8

const (
	// CloseConn closes the socket in the kernel (sock_diag SOCK_DESTROY).
	CloseConn Action = iota + 1
	// StopOwner sends SIGTERM to the process that holds the socket.
	StopOwner
)

// Ask is one question: the action and the socket it is about, as shown in
// the table when the key was pressed.
type Ask struct {
	Action Action
	Socket sampler.Socket
}

// AnsweredMsg is the answer; Yes is true only for the yes key.
type AnsweredMsg struct {
	Ask Ask
	Yes bool
}

// KeyMap is the component's keys.
type KeyMap struct {
	Yes key.Binding
}

// DefaultKeyMap answers yes with y alone.
func DefaultKeyMap() KeyMap {
	return KeyMap{Yes: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes"))}
}

// ShortHelp is the key hints of an open question.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Yes} }

// Model is the question line: closed until Open.
type Model struct {
	KeyMap KeyMap
	st     style.Styles
	ask    Ask
	open   bool
	width  int
}

// New makes a closed question line.
func New(st style.Styles) Model { return Model{KeyMap: DefaultKeyMap(), st: st} }

// Open asks a.
func (m Model) Open(a Ask) Model {
	m.ask, m.open = a, true
	return m
}

// Active reports whether a question waits for its answer: while it does,
// every key goes to Update.
func (m Model) Active() bool { return m.open }

// SetSize sets the line's width.
func (m *Model) SetSize(w, _ int) { m.width = w }

// Update answers the open question with any key: the yes key is yes, any
// other key no. It closes the line and returns the answer as a command.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !m.open || !ok {
		return m, nil
	}
	m.open = false
	ans := AnsweredMsg{Ask: m.ask, Yes: key.Matches(k, m.KeyMap.Yes)}
	return m, func() tea.Msg { return ans }
}

// Question is the sentence asked, in plain words (names escaped).
func Question(a Ask) string {
	s := a.Socket
	conn := fmt.Sprintf("%s %s", s.Proto, s.Local)
	if s.Remote.IsValid() && s.Remote.Port() != 0 {
		conn += " -> " + s.Remote.String()
	}
	owner := "no known process"
	if s.PID > 0 {
		owner = fmt.Sprintf("%s (pid %d)", safe.Text(s.Process), s.PID)
	}
	switch a.Action {
	case CloseConn:
		return fmt.Sprintf("close %s, held by %s? Its program's next read or write fails. y/N", conn, owner)
	case StopOwner:
		return fmt.Sprintf("stop %s, which holds %s, with SIGTERM? y/N", owner, conn)
	}
	return ""
}

// View is the question line, cut to the width; "" when closed.
func (m Model) View() string {
	if !m.open {
		return ""
	}
	q := Question(m.ask)
	if m.width > 0 {
		q = ansi.Truncate(q, m.width, "…")
	}
	return m.st.Warning.Render(q)
}
