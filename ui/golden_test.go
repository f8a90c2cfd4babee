package ui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
)

// runProgram runs the model as a real bubbletea program (teatest), sends the
// messages in order, quits and returns the final screen. The clock is fixed
// for the whole run so the screen depends only on the messages.
func runProgram(t *testing.T, w, h int, msgs []tea.Msg) string {
	t.Helper()
	c := &clock{t: t0}
	m, err := New(testConfig(c))
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	for _, msg := range msgs {
		tm.Send(msg)
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Model)
	return final.View()
}

// TestGolden compares whole screens, ASCII profile (as with NO_COLOR), with
// the files under testdata. Regenerate with: go test ./ui -run Golden -update
func TestGolden(t *testing.T) {
	first := firstBatch(t0, baseSockets())
	loopback := firstBatch(t0, loopbackSockets())
	tests := []struct {
		name string
		w, h int
		msgs []tea.Msg
	}{
		{"initial_100x30", 100, 30, script(first)},
		{"initial_60x20", 60, 20, script(first)},
		{"too_small", 50, 12, script(first)},
		{"waiting_for_first_sample", 100, 30, nil},
		{"new_socket_highlighted", 100, 30, script(first, batchCurlOpens())},
		{"closed_socket_lingers_and_state_change", 100, 30, script(first, batchCurlOpens(), batchCurlClosesGitWaits())},
		{"narrow_after_churn", 60, 20, script(first, batchCurlOpens(), batchCurlClosesGitWaits())},
		{"wide_feed_beside", 150, 24, script(first, batchCurlOpens(), batchCurlClosesGitWaits())},
		{"filter_one_port", 100, 30, script(first, batchCurlOpens(), "/22", enter())},
		{"filter_typing", 100, 30, script(first, "/ephemeral tc")},
		{"free_port", 100, 30, script(first, "/60716", enter())},
		{"bad_filter", 100, 30, script(first, "/port:99999", enter())},
		{"bad_filter_keeps_old", 60, 20, script(first, "/22", enter(), "/ nonsense:x", enter())},
		{"help_overlay", 100, 30, script(first, "?")},
		{"help_overlay_60x20", 60, 20, script(first, "?")},
		{"explain_pane_60x20", 60, 20, script(first, "jji")},
		{"explain_pane", 100, 30, script(first, batchCurlOpens(), "G", "i")},
		{"explain_free_port", 100, 30, script(first, "/60716", enter(), enter())},
		{"sorted_by_process_cursor_down", 100, 30, script(first, "ss", "jj")},
		{"sorted_by_state", 100, 30, script(first, "s")},
		{"paused", 100, 30, script(first, " ", batchCurlOpens())},
		{"port_map", 100, 30, script(first, batchCurlOpens(), "m")},
		{"port_map_help", 100, 40, script(first, "m?")},
		{"churn_panel", 100, 30, script(first, batchCurlOpens(), batchCurlClosesGitWaits(), "c")},
		{"map_and_churn_wide", 160, 40, script(first, batchCurlOpens(), batchCurlClosesGitWaits(), "mc")},
		{"map_enter_filters_block", 100, 30, script(first, batchCurlOpens(), "m", enter())},
		// Ports are never cut: hosts lose their middle, PID and SERVICE give way.
		{"loopback_60x16", 60, 16, script(loopback)},
		{"loopback_80x24", 80, 24, script(loopback)},
		// Unprivileged: a hidden owner is "?", a TIME_WAIT socket's blank.
		{"owners_hidden", 100, 30, script(hiddenOwnerBatch())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden.RequireEqual(t, []byte(runProgram(t, tt.w, tt.h, tt.msgs)))
		})
	}
}
