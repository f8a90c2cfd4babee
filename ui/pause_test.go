package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

func TestPauseFreezesDisplayButNotHistory(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	m = update(m, firstBatch(t0, baseSockets()), keys(" ")[0], batchCurlOpens())
	if !m.paused.on {
		t.Fatal("space did not pause")
	}
	if m.table.Len() != 6 || m.feed.Len() != 1 {
		t.Errorf("paused table/feed moved on: %d rows, %d feed entries", m.table.Len(), m.feed.Len())
	}
	if m.stats.counts.Sockets != 7 {
		t.Errorf("header should stay live while paused: %d sockets", m.stats.counts.Sockets)
	}
	if h := m.history.Port(sampler.TCP, 54112); h.HandedOut != 1 {
		t.Errorf("history should keep updating while paused: %+v", h)
	}
	if !strings.Contains(m.View(), "PAUSED") {
		t.Error("no PAUSED badge")
	}
	m = update(m, keys(" ")[0])
	if m.paused.on || m.table.Len() != 7 || m.feed.Len() != 2 {
		t.Errorf("resume should catch up: paused %v, %d rows, %d feed entries", m.paused.on, m.table.Len(), m.feed.Len())
	}
	if !strings.Contains(m.View(), "+ 54112/tcp curl -> 93.184.216.34:443") {
		t.Errorf("the held event should reach the feed on resume:\n%s", m.View())
	}
}

func TestPauseHoldIsBounded(t *testing.T) {
	var p pausedDisplay
	p.on = true
	ev := make([]sampler.Event, 3000)
	for range 10 {
		p.hold(sampler.Snapshot{}, ev)
	}
	if len(p.events) > 10000 || p.lost != 20000 {
		t.Errorf("held %d events, lost %d", len(p.events), p.lost)
	}
}

// While the display is paused, AGE stops with it: the table is one moment
// (git's connection, 20s old at the pause, still reads 20s a minute later),
// and moves on again on resume.
func TestAgeStopsWhilePaused(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 120, 30)
	m = update(m, firstBatch(t0, baseSockets()))
	row := func() string {
		for _, l := range strings.Split(m.View(), "\n") {
			if strings.Contains(l, "140.82.112.3:443") {
				return l
			}
		}
		t.Fatalf("no row for git's connection:\n%s", m.View())
		return ""
	}
	if !strings.Contains(row(), " 20s") {
		t.Fatalf("before the pause: %q", row())
	}
	m = update(m, keys(" ")...)
	c.t = t0.Add(time.Minute)
	m = update(m, frameMsg(c.t))
	if r := row(); !strings.Contains(r, " 20s") || strings.Contains(r, "1m20s") {
		t.Errorf("paused a minute, AGE moved on: %q", r)
	}
	m = update(m, keys(" ")...)
	if r := row(); !strings.Contains(r, "1m20s") {
		t.Errorf("resumed, AGE did not catch up: %q", r)
	}
}
