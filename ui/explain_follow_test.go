package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
)

// end in the live explain pane stays at the bottom as batches add to the
// port's history (it stayed at the old offset, the new last lines below
// the fold); scrolling up lets go.
func TestExplainEndFollowsTheBottom(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 80, 20)
	m = update(m, firstBatch(t0, baseSockets()))
	m = update(m, append(keys("/41822"), enter())...)
	m = update(m, keys("i")...)
	if !m.explain.IsOpen() {
		t.Fatalf("explain pane not open:\n%s", m.View())
	}
	m = update(m, tea.KeyMsg{Type: tea.KeyEnd})
	if !strings.Contains(m.View(), "100%") {
		t.Fatalf("end did not reach the bottom:\n%s", m.View())
	}
	use := func(i int) {
		at := t0.Add(time.Duration(i+1) * time.Second)
		s := sock(sampler.TCP, "10.0.0.5:41822", "140.82.112.4:443", sampler.StateEstablished, 3200+int32(i), "curl", at)
		c.t = at
		m = update(m, nextBatchMsg(at, baseSockets(),
			sampler.Event{Kind: sampler.Opened, Time: at, Socket: s},
			sampler.Event{Kind: sampler.Closed, Time: at, Socket: s, Held: time.Millisecond}))
	}
	for i := range 6 {
		use(i)
		if v := m.View(); !strings.Contains(v, "100%") {
			t.Fatalf("after %d more uses the pane left the bottom:\n%s", i+1, v)
		}
	}
	m = update(m, tea.KeyMsg{Type: tea.KeyUp})
	use(7)
	if v := m.View(); strings.Contains(v, "100%") {
		t.Errorf("scrolled up, the pane still followed the bottom:\n%s", v)
	}
}
