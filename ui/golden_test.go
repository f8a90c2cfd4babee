package ui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/sampler/ports"
)

// runProgram runs the model as a real bubbletea program (teatest), sends the
// messages in order, quits and returns the final screen. The clock is fixed
// for the whole run so the screen depends only on the messages. edit, when
// not nil, changes the test config first.
func runProgram(t *testing.T, w, h int, msgs []tea.Msg, edit func(*Config)) string {
	t.Helper()
	c := &clock{t: t0}
	cfg := testConfig(c)
	if edit != nil {
		edit(&cfg)
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	for _, msg := range msgs {
		if w, ok := msg.(wideMsg); ok { // no focus runs: as the feed yields it then
			msg = BatchMsg{live.Alone(w.Batch)}
		}
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
		edit func(*Config)
	}{
		{"initial_100x30", 100, 30, script(first), nil},
		{"initial_60x20", 60, 20, script(first), nil},
		{"too_small", 50, 12, script(first), nil},
		{"waiting_for_first_sample", 100, 30, nil, nil},
		{"new_socket_highlighted", 100, 30, script(first, batchCurlOpens()), nil},
		{"closed_socket_lingers_and_state_change", 100, 30, script(first, batchCurlOpens(), batchCurlClosesGitWaits()), nil},
		{"narrow_after_churn", 60, 20, script(first, batchCurlOpens(), batchCurlClosesGitWaits()), nil},
		{"wide_feed_beside", 150, 24, script(first, batchCurlOpens(), batchCurlClosesGitWaits()), nil},
		{"filter_one_port", 100, 30, script(first, batchCurlOpens(), "/22", enter()), nil},
		{"filter_typing", 100, 30, script(first, "/ephemeral tc"), nil},
		{"free_port", 100, 30, script(first, "/60716", enter()), nil},
		{"bad_filter", 100, 30, script(first, "/port:99999", enter()), nil},
		{"bad_filter_keeps_old", 60, 20, script(first, "/22", enter(), "/ nonsense:x", enter()), nil},
		{"help_overlay", 100, 30, script(first, "?"), nil},
		{"help_overlay_60x20", 60, 20, script(first, "?"), nil},
		{"explain_pane_60x20", 60, 20, script(first, "jji"), nil},
		{"explain_pane", 100, 30, script(first, batchCurlOpens(), "G", "i"), nil},
		{"explain_free_port", 100, 30, script(first, "/60716", enter(), enter()), nil},
		{"sorted_by_process_cursor_down", 100, 30, script(first, "ss", "jj"), nil},
		{"sorted_by_state", 100, 30, script(first, "s"), nil},
		{"paused", 100, 30, script(first, " ", batchCurlOpens()), nil},
		{"port_map", 100, 30, script(first, batchCurlOpens(), "m"), nil},
		{"port_map_help", 100, 40, script(first, "m?"), nil},
		{"churn_panel", 100, 30, script(first, batchCurlOpens(), batchCurlClosesGitWaits(), "c"), nil},
		{"map_and_churn_wide", 160, 40, script(first, batchCurlOpens(), batchCurlClosesGitWaits(), "mc"), nil},
		{"map_enter_filters_block", 100, 30, script(first, batchCurlOpens(), "m", enter()), nil},
		// Ports are never cut: hosts lose their middle, PID and SERVICE give way.
		{"loopback_60x16", 60, 16, script(loopback), nil},
		{"loopback_80x24", 80, 24, script(loopback), nil},
		// Unprivileged: a hidden owner is "?", a TIME_WAIT socket's blank.
		{"owners_hidden", 100, 30, script(hiddenOwnerBatch()), nil},
		// A recording without its ephemeral range: unknown everywhere.
		{"unknown_range_churn", 100, 30, script(firstBatch(t0, loopbackPairs()), "c"), func(c *Config) {
			c.Ephemeral, c.EphemeralSource = ports.Range{}, "the recording"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden.RequireEqual(t, []byte(runProgram(t, tt.w, tt.h, tt.msgs, tt.edit)))
		})
	}
}

// loopbackSockets is a test server on 127.0.0.1:8765 with a client connected
// and one gone to TIME_WAIT, and an IPv6 connection with long addresses:
// endpoints whose ports must survive narrow columns.
func loopbackSockets() []sampler.Socket {
	return []sampler.Socket{
		sock(sampler.TCP, "127.0.0.1:8765", "", sampler.StateListen, 4242, "python3", t0.Add(-time.Minute)),
		sock(sampler.TCP, "127.0.0.1:8765", "127.0.0.1:38112", sampler.StateEstablished, 4242, "python3", t0.Add(-3*time.Second)),
		sock(sampler.TCP, "127.0.0.1:38112", "127.0.0.1:8765", sampler.StateEstablished, 5151, "curl", t0.Add(-3*time.Second)),
		sock(sampler.TCP, "127.0.0.1:38100", "127.0.0.1:8765", sampler.StateTimeWait, 0, "", t0.Add(-9*time.Second)),
		sock(sampler.TCP, "[2001:db8::42]:443", "[2001:db8:85a3::8a2e:370:7334]:51234", sampler.StateEstablished, 777, "nginx", t0.Add(-time.Hour)),
	}
}

// loopbackPairs is two clients of a server on [::1]:37643, both ends of
// each connection on this machine, as in a recording of a local test.
func loopbackPairs() []sampler.Socket {
	return []sampler.Socket{
		sock(sampler.TCP, "[::1]:37643", "", sampler.StateListen, 4242, "python3", t0.Add(-time.Minute)),
		sock(sampler.TCP, "[::1]:37643", "[::1]:51000", sampler.StateEstablished, 4242, "python3", t0.Add(-2*time.Second)),
		sock(sampler.TCP, "[::1]:51000", "[::1]:37643", sampler.StateEstablished, 5151, "curl", t0.Add(-2*time.Second)),
		sock(sampler.TCP, "[::1]:37643", "[::1]:51002", sampler.StateEstablished, 4242, "python3", t0.Add(-time.Second)),
		sock(sampler.TCP, "[::1]:51002", "[::1]:37643", sampler.StateEstablished, 5152, "curl", t0.Add(-time.Second)),
	}
}
