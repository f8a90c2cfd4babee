// Package filterbar is the `/` input line. It only edits text; the model
// parses it on Enter, so a bad filter leaves the old one in force.
package filterbar

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/porttop/porttop/ui/style"
)

// Placeholder hints at the syntax when the line is empty.
const Placeholder = "443  tcp  listen  ephemeral  proc:curl  !time-wait  10.0.0.0/8"

// MaxLen is the most characters the line holds: far more than any filter
// needs, and a bound on what a stray paste can make porttop parse. Input
// past it is refused, and Full says so.
const MaxLen = 4096

// Model is the filter input.
type Model struct {
	input textinput.Model
	open  bool
	width int  // the whole line's, prompt and cursor included
	full  bool // the last edit met MaxLen and lost characters
}

// New makes a closed filter bar.
func New(st style.Styles) Model {
	in := textinput.New()
	in.Prompt = "/ "
	in.Placeholder = Placeholder
	in.PromptStyle = st.Accent
	in.TextStyle = st.Text
	in.PlaceholderStyle = st.Muted
	in.CharLimit = MaxLen
	// A steady cursor: no blink messages, and stable test output. Drawn by
	// porttop's renderer (reverse video), like the rest of the screen.
	in.Cursor.SetMode(cursor.CursorStatic)
	in.Cursor.Style = st.Renderer.NewStyle()
	in.Cursor.TextStyle = st.Text
	return Model{input: in}
}

// SetWidth sets the line's width in cells. The input scrolls sideways as
// it is edited only if it knows its width, so this is set on every resize,
// not at render time.
func (m *Model) SetWidth(w int) {
	if w == m.width {
		return
	}
	m.width = w
	// The text takes what the prompt and the cursor's cell leave.
	m.input.Width = max(w-ansi.StringWidth(m.input.Prompt)-1, 1)
	// Scroll again for the new width, keeping the cursor in view.
	pos := m.input.Position()
	m.input.SetCursor(0)
	m.input.SetCursor(pos)
}

// Open shows the bar holding text (the filter in force), ready to edit.
func (m *Model) Open(text string) tea.Cmd {
	m.open = true
	m.full = false
	m.input.SetValue(text)
	m.input.CursorEnd()
	return m.input.Focus()
}

// Close hides the bar.
func (m *Model) Close() {
	m.open = false
	m.full = false
	m.input.Blur()
}

// IsOpen reports whether the bar is taking keys.
func (m Model) IsOpen() bool { return m.open }

// Value is the text typed so far.
func (m Model) Value() string { return m.input.Value() }

// Full reports whether the last edit was cut short at MaxLen characters.
func (m Model) Full() bool { return m.full }

// Update edits the text.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	before := len([]rune(m.input.Value()))
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	m.full = false
	if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyRunes {
		after := len([]rune(m.input.Value()))
		m.full = after == MaxLen && before+len(k.Runes) > MaxLen
	}
	return m, cmd
}

// View renders the bar in the width SetWidth gave.
func (m Model) View() string {
	v := m.input.View()
	if m.width > 0 {
		v = ansi.Truncate(v, m.width, "")
	}
	return v
}
