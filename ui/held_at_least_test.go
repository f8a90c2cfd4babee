package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// A socket open before porttop started was first seen at its first sample:
// the feed says its close was "held at least" that long, and explain says
// it is open since before porttop started. One handed out under porttop's
// eyes keeps its exact hold.
func TestHeldAtLeastForSocketsOpenBeforeStart(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 120, 30)
	base := baseSockets()
	m = update(m, firstBatch(t0, base))
	git := base[3] // 10.0.0.5:41822, open at the first sample
	if git.Local.Port() != 41822 {
		t.Fatalf("fixture changed: %v", git.Local)
	}
	at := t0.Add(time.Second)
	curl := sock(sampler.TCP, "10.0.0.5:54112", "93.184.216.34:443", sampler.StateEstablished, 4000, "curl", at)
	c.t = at
	m = update(m, nextBatchMsg(at, append(append([]sampler.Socket(nil), base...), curl),
		sampler.Event{Kind: sampler.Opened, Time: at, Socket: curl}))

	m = update(m, append(keys("/22"), enter())...)
	m = update(m, keys("i")...)
	text := strings.Join(strings.Fields(m.explainText(explainTarget{port: 22}, 200)), " ")
	if !strings.Contains(text, "listens on 0.0.0.0:22 over tcp, open since before porttop started at 12:00:00") {
		t.Errorf("explain 22 does not say sshd was open before porttop started:\n%s", text)
	}
	m = update(m, esc(), esc())

	end := t0.Add(1800 * time.Millisecond)
	c.t = end
	m = update(m, nextBatchMsg(end, base[:3],
		sampler.Event{Kind: sampler.Closed, Time: end, Socket: git, Held: 1800 * time.Millisecond},
		sampler.Event{Kind: sampler.Closed, Time: end, Socket: curl, Held: 800 * time.Millisecond}))
	feed := feedViewAt(m.feed, end, false)
	for _, want := range []string{"- 41822/tcp git held at least 1.8s", "- 54112/tcp curl held 0.8s"} {
		if !strings.Contains(feed, want) {
			t.Errorf("feed lacks %q:\n%s", want, feed)
		}
	}
}
