package churn

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/porttop/porttop/sampler"
)

// scripted is two minutes of a connection pool leaking towards exhaustion:
// in second i it hands out 60 + 2*i ports to the database (400 more in a
// burst every 30 s) and releases a quarter as many into TIME_WAIT, while a
// web client opens one socket a second. Events carry the sample's time, as the sampler stamps them.
func scripted() Model {
	m := New(plainStyles(), linuxEphemeral, 0.5)
	var pool, tw []sampler.Socket
	web := clients(45000, 40, "10.0.0.9:443", sampler.StateEstablished)
	next := 32768
	for i := 0; i < 120; i++ {
		now := scriptStart.Add(time.Duration(i) * time.Second)
		var evs []sampler.Event
		n := 60 + 2*i
		if i%30 == 10 { // a burst: a deploy restarting its workers
			n += 400
		}
		for _, s := range clients(next, n, "10.0.0.5:5432", sampler.StateEstablished) {
			evs = append(evs, event(sampler.Opened, s, now))
			pool = append(pool, s)
		}
		next += n
		for j := 0; j < n/4 && len(pool) > 0; j++ {
			s := pool[0]
			pool = pool[1:]
			evs = append(evs, event(sampler.Closed, s, now))
			s.State = sampler.StateTimeWait
			tw = append(tw, s)
		}
		if len(tw) > 3000 { // TIME_WAIT sockets expire
			tw = tw[len(tw)-3000:]
		}
		evs = append(evs, event(sampler.Opened, web[i%len(web)], now))
		snap := sampler.Snapshot{Time: now}
		snap.Sockets = append(append(append(snap.Sockets, pool...), tw...), web...)
		snap.Sockets = append(snap.Sockets, sock(sampler.TCP, "0.0.0.0:22", "0.0.0.0:0", sampler.StateListen))
		m = m.Observe(snap, evs, now)
	}
	return m
}

func TestViewGolden(t *testing.T) {
	m := scripted()
	if len(m.Warnings()) != 1 || !strings.HasPrefix(m.Warnings()[0], "tcp 10.0.0.5:5432 holds") {
		t.Fatalf("Warnings = %q; want one for the database", m.Warnings())
	}
	for _, size := range [][2]int{{80, 14}, {120, 30}, {50, 8}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			out := viewAt(m, size[0], size[1])
			checkFits(t, out, size[0], size[1])
			golden.RequireEqual(t, []byte(out))
		})
	}
}

func checkFits(t *testing.T, out string, width, height int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) > height {
		t.Errorf("%d lines; want at most %d", len(lines), height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("line %d is %d wide; want at most %d: %q", i, w, width, l)
		}
	}
}

func TestViewShowsNumbersAndWarn(t *testing.T) {
	out := viewAt(scripted(), 100, 20)
	for _, want := range []string{
		// Now is the last whole second, 118 (60 + 2*118 + 1, the web
		// client's), not 119, the one being counted; the burst at 100 s.
		"hand-outs/s", "now 297 max 661",
		"⚠ WARN tcp 10.0.0.5:5432",
		"TIME_WAIT", "now 3,000 max 3,000",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("view lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "WARN tcp 10.0.0.9:443") {
		t.Errorf("the web client is far below the threshold but warned:\n%s", out)
	}
}

func TestViewFitsAnyArea(t *testing.T) {
	m := scripted()
	for _, size := range [][2]int{{200, 60}, {60, 20}, {30, 5}, {12, 2}, {1, 1}} {
		out := viewAt(m, size[0], size[1])
		if out == "" {
			t.Errorf("%dx%d: empty view", size[0], size[1])
		}
		checkFits(t, out, size[0], size[1])
	}
	var zero Model
	checkFits(t, viewAt(zero, 40, 10), 40, 10)
	if zero.Warnings() != nil {
		t.Error("zero Model has warnings")
	}
}

// A rate's value now is the last whole second's: the newest second is still
// being counted, and showing it read "hand-outs/s 6" a moment into a second
// of a steady 45 a second.
func TestRateNowIsTheLastWholeSecond(t *testing.T) {
	m := New(plainStyles(), linuxEphemeral, 0.5)
	s := clients(40000, 1, "10.0.0.5:5432", sampler.StateEstablished)[0]
	var evs []sampler.Event
	for i := range 45 {
		evs = append(evs, event(sampler.Opened, s, scriptStart.Add(time.Duration(i)*20*time.Millisecond)))
	}
	m = m.Observe(sampler.Snapshot{}, evs, scriptStart.Add(950*time.Millisecond))
	var now []sampler.Event
	for i := range 6 {
		now = append(now, event(sampler.Opened, s, scriptStart.Add(time.Second+time.Duration(i)*10*time.Millisecond)))
	}
	m = m.Observe(sampler.Snapshot{}, now, scriptStart.Add(1100*time.Millisecond))
	v := viewAt(m, 100, 5) // the summary line, not the sparklines
	if !strings.Contains(v, "hand-outs/s 45") {
		t.Errorf("summary a moment into a second after 45 hand-outs: want hand-outs/s 45:\n%s", v)
	}
	v = viewAt(m, 120, 40) // sparklines
	if !strings.Contains(v, "now 45 max 45") {
		t.Errorf("sparkline row: want now 45 max 45:\n%s", v)
	}
}

// viewAt draws m into width x height as the parent does: SetSize, then View.
func viewAt(m Model, width, height int) string {
	m.SetSize(width, height)
	return m.View()
}
