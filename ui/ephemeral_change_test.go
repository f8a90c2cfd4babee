package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

var (
	defaultEphemeral = ports.Range{Lo: 32768, Hi: 60999}
	narrowEphemeral  = ports.Range{Lo: 40000, Hi: 40100}
)

// exhausted is the auditor's machine with the range narrowed to
// 40000-40100: every port of it held by connections to one database, next
// to the base machine (whose git client holds 41822, outside the narrowed
// range but inside the default one).
func exhausted() []sampler.Socket {
	socks := baseSockets()
	for p := 40000; p <= 40100; p++ {
		socks = append(socks, sock(sampler.TCP, fmt.Sprintf("10.0.0.5:%d", p), "10.0.0.7:5432",
			sampler.StateEstablished, 5000, "app", t0))
	}
	return socks
}

// withRange is msg carrying the OS ephemeral range r, first read at since.
func withRange(msg wideMsg, r ports.Range, since time.Time, notes ...string) wideMsg {
	msg.Batch.Ephemeral = sampler.EphemeralRange{Range: r, Since: since}
	msg.Batch.Notes = notes
	return msg
}

// TestLiveViewFollowsEphemeralRange: a view started before the range was
// narrowed shows the narrowed range, how full it is, the destination
// exhausting it and the change itself; the "ephemeral" filter and the
// focused sampler move with it; the map shows it too.
func TestLiveViewFollowsEphemeralRange(t *testing.T) {
	m, focus, c := newFocusModelClock(t)
	m = update(m, withRange(nextBatchMsg(t0, baseSockets()), defaultEphemeral, t0))
	m = applyFilter(t, m, "ephemeral")
	if n := len(focus.asked); n != 1 || !slices.Equal(focus.asked[0].q.Ports, []sampler.PortRange{{Lo: 32768, Hi: 60999}}) {
		t.Fatalf("the ephemeral filter asked the focus for %+v", focus.asked)
	}
	if !strings.Contains(m.View(), "10.0.0.5:41822") {
		t.Fatal("before the change the filtered table lacks 41822, inside 32768-60999")
	}

	c.advance(time.Second)
	note := "ephemeral range changed at 12:00:01: 32768-60999 -> 40000-40100"
	m = update(m, withRange(nextBatchMsg(c.t, exhausted()), narrowEphemeral, c.t, note))
	if n := len(focus.asked); n != 2 || !slices.Equal(focus.asked[1].q.Ports, []sampler.PortRange{{Lo: 40000, Hi: 40100}}) {
		t.Errorf("after the change the focus was asked %+v, want a new focus for 40000-40100", focus.asked)
	} else if f := update(m, focusBatch(focus.asked[1].gen)); !f.focused.Live {
		t.Errorf("the new focus for 40000-40100 does not drive the view")
	}
	view := m.View()
	for _, want := range []string{
		"OS ephemeral 40000-40100: 101 in use of 101 (100.0%)",
		note,
		"tcp 10.0.0.7:5432 holds all 101 ports of the ephemeral range 40000-40100: the range is full for it",
	} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "32768-60999: ") {
		t.Errorf("view still shows the old range:\n%s", view)
	}
	if m.filter.String() != "ephemeral" || m.filter.Match(&exhausted()[3]) {
		t.Errorf("filter %q still matches 41822, outside 40000-40100", m.filter)
	}
	if strings.Contains(view, "10.0.0.5:41822") {
		t.Errorf("the filtered table still shows 41822:\n%s", view)
	}
	if w := m.views.churn.Warnings(); len(w) != 1 {
		t.Errorf("churn warnings %q, want the one destination", w)
	}

	m = update(m, keys("m")...)
	if v := m.View(); !strings.Contains(v, "OS ephemeral 40000-40100") {
		t.Errorf("the map does not show the new range:\n%s", v)
	}
	m = update(m, keys("mc")...)
	v := m.View()
	for _, want := range []string{"OS ephemeral range 40000-40100 (101 ports)", "100% 101/101 in use", "WARN"} {
		if !strings.Contains(v, want) {
			t.Errorf("the churn panel lacks %q:\n%s", want, v)
		}
	}
}

// TestEphemeralMarkFollowsRange: the table's e mark is of the range in
// force; a batch from a feed that does not read the range changes nothing.
func TestEphemeralMarkFollowsRange(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 120, 30)
	m = update(m, firstBatch(t0, baseSockets()))
	if !gitRowMarked(t, m) {
		t.Fatal("41822 is not marked e inside 32768-60999")
	}
	c.advance(time.Second)
	m = update(m, withRange(nextBatchMsg(c.t, baseSockets()), narrowEphemeral, c.t))
	if gitRowMarked(t, m) {
		t.Error("41822 is still marked e outside 40000-40100")
	}
	c.advance(time.Second)
	m = update(m, nextBatchMsg(c.t, baseSockets())) // no range read
	if m.cfg.Ephemeral != narrowEphemeral || gitRowMarked(t, m) {
		t.Errorf("a batch without a range moved it to %v", m.cfg.Ephemeral)
	}
}

// gitRowMarked reports whether the table row of 10.0.0.5:41822 carries the
// ephemeral mark: its gutter, before the address.
func gitRowMarked(t *testing.T, m Model) bool {
	t.Helper()
	for _, l := range strings.Split(m.View(), "\n") {
		if i := strings.Index(l, "10.0.0.5:41822"); i >= 0 {
			return strings.Contains(l[:i], "e")
		}
	}
	t.Fatalf("no row for 41822:\n%s", m.View())
	return false
}

var _ tea.Model = Model{}
