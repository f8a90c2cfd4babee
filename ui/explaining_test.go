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

// Port 0 is no port anything holds: a listener's empty remote end
// (0.0.0.0:0) does not make it "in use", and the one-port view says what
// port 0 means instead of calling it free and "only for programs asking for
// it by number".
func TestPortZeroIsNeverInUse(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	listener := sock(sampler.TCP, "127.0.0.1:8080", "0.0.0.0:0", sampler.StateListen, 1500, "python3", t0.Add(-time.Minute))
	m = update(m, firstBatch(t0, []sampler.Socket{listener}))
	m = update(m, append(keys("/0"), enter())...)
	v := m.View()
	for _, want := range []string{"No socket holds port 0", "port 0 itself is never handed out"} {
		if !strings.Contains(strings.Join(strings.Fields(v), " "), want) {
			t.Errorf("one-port view of port 0 lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "only a program asking for it by number") || strings.Contains(v, "Port 0 is free now") {
		t.Errorf("one-port view of port 0 calls it an ordinary free port:\n%s", v)
	}
	text := strings.Join(strings.Fields(m.explainText(explainTarget{port: 0}, 100)), " ")
	if strings.Contains(text, "is in use") || !strings.Contains(text, "no socket holds port 0") {
		t.Errorf("explain 0 beside a listener:\n%s", text)
	}
}

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

// TestFreePortRemembersLastUse: a port used and released earlier in the
// run is answered with when and by what it was last used.
func TestFreePortRemembersLastUse(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	m = update(m, firstBatch(t0, baseSockets()), batchCurlOpens())
	c.advance(2 * time.Second)
	closeAt := t0.Add(2 * time.Second)
	m = update(m, nextBatchMsg(closeAt, baseSockets(),
		sampler.Event{Kind: sampler.Closed, Time: closeAt, Socket: curlSocket(), Held: 2 * time.Second}))
	m = update(m, append(keys("/54112"), enter())...)
	if _, ok := m.freePortAnswer(100); ok {
		t.Error("while the closed row lingers the table shows it, not the free answer")
	}
	c.advance(10 * time.Second)
	m = update(m, frameMsg(c.t))
	v := m.View()
	for _, want := range []string{
		"Port 54112 is free now",
		"Last seen in use at 12:00:02 by curl (pid 4000) -> 93.184.216.34:443.",
		"Free since 12:00:02 (10s ago).",
		"Handed out once this run, held 2.0s in all.",
		"IANA: unassigned.",
		"inside this OS's ephemeral range 32768-60999",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("free-port answer lacks %q:\n%s", want, v)
		}
	}
}
