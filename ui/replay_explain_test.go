package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
)

// A replay knows only what its recording says: a socket without a pid is
// one the recording does not name, not one root could not see.
func TestReplayExplainClaimsNoLiveKnowledge(t *testing.T) {
	c := &clock{t: t0}
	cfg := testConfig(c)
	cfg.Replay = &fakeReplay{speed: 1}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	unnamed := sock(sampler.TCP, "10.0.0.5:5000", "10.0.0.9:40000", sampler.StateEstablished, 0, "", t0)
	m = update(m, tea.WindowSizeMsg{Width: 100, Height: 30}, firstBatch(t0, []sampler.Socket{unnamed}))
	text := strings.Join(strings.Fields(m.explainText(explainTarget{port: 5000}, 100)), " ")
	if !strings.Contains(text, "the recording does not name") || strings.Contains(text, "can read") {
		t.Errorf("explain in a replay:\n%s", text)
	}
}
