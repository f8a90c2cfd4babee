package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestFeedExistingLineFollowsTheFilter: the feed's `=` line counts the
// sockets already open that the filter matches, like the table beside it,
// from --filter on and as the filter changes.
func TestFeedExistingLineFollowsTheFilter(t *testing.T) {
	cfg := testConfig(&clock{t: t0})
	cfg.Filter = "22" // sshd's listener and its connection
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m = update(m, tea.WindowSizeMsg{Width: 100, Height: 30}, firstBatch(t0, baseSockets()))
	if v := m.View(); !strings.Contains(v, "= 2 sockets already open") {
		t.Errorf("--filter 22: want the 2 sockets on port 22 counted:\n%s", v)
	}
	m = update(m, keys("/")...)
	m = update(m, tea.KeyMsg{Type: tea.KeyCtrlU})
	m = update(m, keys("listen")...)
	m = update(m, tea.KeyMsg{Type: tea.KeyEnter})
	if v := m.View(); !strings.Contains(v, "= 3 sockets already open") {
		t.Errorf("filter listen: want the 3 listeners counted:\n%s", v)
	}
	m = update(m, escKey)
	if v := m.View(); !strings.Contains(v, "= 6 sockets already open") {
		t.Errorf("filter cleared: want all 6 counted:\n%s", v)
	}
}
