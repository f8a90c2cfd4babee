package ui

import (
	"io"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// fakeReplay records what the replay keys asked for.
type fakeReplay struct {
	paused   bool
	speed    float64
	steps    int
	restarts int
}

func (r *fakeReplay) SetPaused(p bool)            { r.paused = p }
func (r *fakeReplay) Paused() bool                { return r.paused }
func (r *fakeReplay) Step()                       { r.steps++ }
func (r *fakeReplay) SetSpeed(s float64)          { r.speed = s }
func (r *fakeReplay) Speed() float64              { return r.speed }
func (r *fakeReplay) Restart()                    { r.restarts++ }
func (r *fakeReplay) Progress() (done, total int) { return 120, 500 }

func TestReplayKeys(t *testing.T) {
	c := &clock{t: t0}
	cfg := testConfig(c)
	rp := &fakeReplay{speed: 1}
	cfg.Replay = rp
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m = update(m, tea.WindowSizeMsg{Width: 100, Height: 30}, firstBatch(t0, baseSockets()))
	m = update(m, keys("++-p nn")...)
	if rp.speed != 2 || rp.steps != 2 || rp.paused {
		t.Errorf("replay state: %+v", rp)
	}
	if m.paused.on {
		t.Error("space pauses the replay itself, not the display, when replaying")
	}
	if v := m.View(); !strings.Contains(v, "REPLAY 2x 120/500") {
		t.Errorf("no replay badge:\n%s", v)
	}
	m = update(m, keys("p")...)
	if !strings.Contains(m.View(), "REPLAY paused 2x 120/500") {
		t.Errorf("no paused replay badge")
	}
	// The recording ends, then 0 restarts it and asks the feed again.
	next, _ := m.Update(feedErrMsg{io.EOF})
	m = next.(Model)
	next, cmd := m.Update(keys("0")[0])
	m = next.(Model)
	if rp.restarts != 1 || cmd == nil || m.feed.Len() != 0 || m.table.Len() != 0 {
		t.Errorf("restart: %d restarts, cmd %v, feed %d, rows %d", rp.restarts, cmd != nil, m.feed.Len(), m.table.Len())
	}
	for range 20 {
		m = update(m, keys("+")...)
	}
	if rp.speed != maxSpeed {
		t.Errorf("speed not capped: %v", rp.speed)
	}
	h := m.View()
	m = update(m, keys("?")...)
	if !strings.Contains(m.View(), "step one event") || strings.Contains(h, "step one event") {
		t.Error("replay keys belong in the help overlay")
	}
}

func TestReplayKeysHiddenWhenLive(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	m = update(m, keys("?")...)
	if strings.Contains(m.View(), "step one event") {
		t.Error("live help lists replay keys")
	}
	m = update(m, keys("?n+")...)
	if m.showHelp {
		t.Error("? should close help")
	}
}
