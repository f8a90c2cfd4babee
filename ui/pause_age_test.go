package ui

import (
	"strings"
	"testing"
	"time"
)

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
