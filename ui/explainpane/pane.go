// Package explainpane is the scrollable pane that explains one port: what
// IANA says of it, which ranges hold it, what it is used for now and what
// this run has seen of it. The text comes from the caller; the pane only
// frames and scrolls it.
package explainpane

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/ui/style"
)

// Model is the pane.
type Model struct {
	styles  style.Styles
	vp      viewport.Model
	title   string
	content string
	open    bool
	height  int // outer height, as last set
	// follow: end was pressed (or the reader scrolled to the last line), so
	// the pane stays at the bottom as a live refresh adds lines, as less's
	// F and tail -f do; scrolling up or home lets go.
	follow bool
}

// New makes a closed pane.
func New(st style.Styles) Model {
	return Model{styles: st, vp: viewport.New(0, 0)}
}

// Open shows content under title ("" for none), scrolled to the top.
func (m *Model) Open(title, content string) {
	m.open, m.title, m.content = true, title, content
	m.fitHeight()
	m.vp.SetContent(content)
	m.vp.GotoTop()
	m.follow = false
}

// SetContent replaces the text keeping the scroll position (a live refresh).
// A pane following the bottom (see Bottom) stays there.
func (m *Model) SetContent(content string) {
	m.content = content
	m.vp.SetContent(content)
	if m.follow {
		m.vp.GotoBottom()
	}
}

// Close hides the pane.
func (m *Model) Close() { m.open = false }

// IsOpen reports whether the pane is showing.
func (m Model) IsOpen() bool { return m.open }

// Frame is the width the border and padding take; callers wrap their text
// to width - Frame.
const Frame = 4

// SetSize sets the pane's outer size.
func (m *Model) SetSize(w, h int) {
	m.vp.Width = max(w-Frame, 1)
	m.height = h
	m.fitHeight()
	m.vp.SetContent(m.content)
	if m.follow {
		m.vp.GotoBottom()
	}
}

// fitHeight gives the text what the border, footer and title leave.
func (m *Model) fitHeight() {
	chrome := 3 // border top and bottom, footer
	if m.title != "" {
		chrome++
	}
	m.vp.Height = max(m.height-chrome, 1)
}

// InnerWidth is the width text should be wrapped to.
func (m Model) InnerWidth() int { return m.vp.Width }

// Top scrolls to the first line, Bottom to the last (home and end); after
// Bottom the pane follows the last line through refreshes until scrolled.
func (m *Model) Top()    { m.vp.GotoTop(); m.follow = false }
func (m *Model) Bottom() { m.vp.GotoBottom(); m.follow = true }

// Update scrolls (arrows, j/k, pgup/pgdn, mouse wheel).
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	before := m.vp.YOffset
	m.vp, cmd = m.vp.Update(msg)
	if m.vp.YOffset != before { // scrolled: follow only if it came to the last line
		m.follow = m.vp.AtBottom()
	}
	return m, cmd
}

// View renders the framed pane.
func (m Model) View() string {
	st := m.styles
	footer := "esc close  ↑/↓ pgup/pgdn home/end scroll"
	if m.vp.TotalLineCount() > m.vp.Height {
		footer += fmt.Sprintf("  %3.0f%%", m.vp.ScrollPercent()*100)
	}
	parts := []string{m.vp.View(), st.Muted.Render(footer)}
	if m.title != "" {
		parts = append([]string{st.Title.Render(m.title)}, parts...)
	}
	body := strings.Join(parts, "\n")
	return st.Pane.Width(m.vp.Width + 2).Render(body) // +2: the padding
}
