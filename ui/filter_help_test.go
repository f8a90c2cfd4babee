package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler/filter"
)

// `?` shows the filter syntax, every line of it, and what enter and esc do
// in the filter line.
func TestHelpShowsFilterSyntax(t *testing.T) {
	m := newTestModel(t, &clock{t: t0}, 100, 30)
	text := m.helpText(96)
	flat := strings.Join(strings.Fields(text), " ")
	for _, l := range filter.Syntax {
		if !strings.Contains(flat, strings.Join(strings.Fields(l), " ")) {
			t.Errorf("help lacks the syntax line %q:\n%s", l, text)
		}
	}
	if !strings.Contains(flat, "esc cancels the edit and keeps the filter in force") {
		t.Errorf("help does not say what esc does in the filter line:\n%s", text)
	}
}

// esc in the filter line cancels the edit: the line closes and the filter
// that was applied stays in force, as a shell's or less's search line does.
func TestEscInFilterLineKeepsTheFilter(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	m = update(m, firstBatch(t0, baseSockets()))
	m = update(m, append(keys("/22"), enter())...)
	rows := m.table.Len()
	m = update(m, keys("/")...)
	m = update(m, keys("0,443")...)
	m = update(m, esc())
	if m.bar.IsOpen() {
		t.Error("esc left the filter line open")
	}
	if m.filter.String() != "22" || m.table.Len() != rows {
		t.Errorf("esc changed the filter in force to %q (%d rows, want 22 and %d)", m.filter.String(), m.table.Len(), rows)
	}
	// Reopened, the line holds the filter in force, not the cancelled edit.
	m = update(m, keys("/")...)
	if got := m.bar.Value(); got != "22" {
		t.Errorf("the reopened line holds %q, want 22", got)
	}
	// An empty line applied clears it.
	for range 2 {
		m = update(m, tea.KeyMsg{Type: tea.KeyBackspace})
	}
	m = update(m, enter())
	if !m.filter.IsZero() {
		t.Errorf("an empty line applied left the filter %q", m.filter.String())
	}
}
