// Package filterbar is the `/` input line. It only edits text; the model
// parses it on Enter, so a bad filter leaves the old one in force.
package filterbar

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/ui/style"
)

// Placeholder hints at the syntax when the line is empty.
const Placeholder = "443  tcp  listen  ephemeral  proc:curl  !time-wait  10.0.0.0/8"

// Model is the filter input.
type Model struct {
	input textinput.Model
	open  bool
}

// New makes a closed filter bar.
func New(st style.Styles) Model {
	in := textinput.New()
	in.Prompt = "/ "
	in.Placeholder = Placeholder
	in.PromptStyle = st.Accent
	in.TextStyle = st.Text
	in.PlaceholderStyle = st.Muted
	in.CharLimit = 256
	// A steady cursor: no blink messages, and stable test output.
	in.Cursor.SetMode(cursor.CursorStatic)
	return Model{input: in}
}

// Open shows the bar holding text (the filter in force), ready to edit.
func (m *Model) Open(text string) tea.Cmd {
	m.open = true
	m.input.SetValue(text)
	m.input.CursorEnd()
	return m.input.Focus()
}

// Close hides the bar.
func (m *Model) Close() {
	m.open = false
	m.input.Blur()
}

// IsOpen reports whether the bar is taking keys.
func (m Model) IsOpen() bool { return m.open }

// Value is the text typed so far.
func (m Model) Value() string { return m.input.Value() }

// Update edits the text.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return m, cmd
}

// View renders the bar in width cells.
func (m Model) View(width int) string {
	m.input.Width = max(width-len(m.input.Prompt)-1, 1)
	return m.input.View()
}
