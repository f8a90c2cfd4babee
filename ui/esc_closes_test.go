package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

var escKey = tea.KeyMsg{Type: tea.KeyEsc}

// TestEscClosesMapAndChurnFirst: esc closes the port map and the churn
// panel, back to the table and the feed, and keeps the filter; esc on the
// plain table then clears the filter, as before.
func TestEscClosesMapAndChurnFirst(t *testing.T) {
	tests := []struct {
		name, open string
		gone       string // on screen while open, gone once closed
	}{
		{"map", "m", "0-65k"},
		{"churn", "c", "port churn"},
		{"map and churn", "mc", "0-65k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: t0}
			cfg := testConfig(c)
			cfg.Filter = "22,8080"
			m, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			m = update(m, tea.WindowSizeMsg{Width: 100, Height: 30}, firstBatch(t0, baseSockets()))
			m = update(m, keys(tt.open)...)
			if v := m.View(); !strings.Contains(v, tt.gone) {
				t.Fatalf("%q did not open %s:\n%s", tt.open, tt.name, v)
			}

			m = update(m, escKey)
			v := m.View()
			if strings.Contains(v, tt.gone) || !strings.Contains(v, "PRT  LOCAL") || !strings.Contains(v, "EVENTS newest first") {
				t.Errorf("esc should close the %s, back to the table and the feed:\n%s", tt.name, v)
			}
			if m.filter.IsZero() || strings.Contains(v, "filter cleared") {
				t.Errorf("esc closing the %s cleared the filter:\n%s", tt.name, v)
			}
			if !strings.Contains(m.statusLine(), "filter: 22,8080") {
				t.Errorf("status line does not show the filter kept: %q", m.statusLine())
			}

			m = update(m, escKey)
			if !m.filter.IsZero() || !strings.Contains(m.statusLine(), "filter cleared") {
				t.Errorf("esc on the plain table should clear the filter: %q", m.statusLine())
			}
		})
	}
}
