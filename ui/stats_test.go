package ui

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// The header's hand-out and release rates count local ports: of loopback
// connections to a local server, the client ends hand out a port each and
// the accepted ends, sharing the listener's port, none.
func TestHeaderRatesLeaveOutAcceptedConnections(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	base := baseSockets() // listens on 0.0.0.0:8080
	m = update(m, firstBatch(t0, base))

	at := t0.Add(time.Second)
	socks := append([]sampler.Socket(nil), base...)
	var opens, closes []sampler.Event
	for i := range 4 {
		port := strconv.Itoa(45000 + i)
		client := sock(sampler.TCP, "127.0.0.1:"+port, "127.0.0.1:8080", sampler.StateEstablished, 4000, "curl", at)
		accepted := sock(sampler.TCP, "127.0.0.1:8080", "127.0.0.1:"+port, sampler.StateEstablished, 1500, "python3", at)
		socks = append(socks, client, accepted)
		opens = append(opens,
			sampler.Event{Kind: sampler.Opened, Time: at, Socket: client},
			sampler.Event{Kind: sampler.Opened, Time: at, Socket: accepted})
		closes = append(closes,
			sampler.Event{Kind: sampler.Closed, Time: at.Add(time.Second), Socket: client, Held: time.Second},
			sampler.Event{Kind: sampler.Closed, Time: at.Add(time.Second), Socket: accepted, Held: time.Second})
	}
	c.t = at
	m = update(m, nextBatchMsg(at, socks, opens...))
	c.t = at.Add(time.Second)
	m = update(m, nextBatchMsg(c.t, base, closes...))

	in := m.headerInfo(c.t)
	secs := float64(c.t.Unix() - m.started.Unix() + 1)
	if want := 4 / secs; in.OpenedPerSec != want {
		t.Errorf("handed out %v/s; want %v (4 client ports over %v s, accepted ends not counted)", in.OpenedPerSec, want, secs)
	}
	if want := 4 / secs; in.ClosedPerSec != want {
		t.Errorf("released %v/s; want %v (4 client ports over %v s)", in.ClosedPerSec, want, secs)
	}
}

// The feed gives a connection a listener accepted its own mark, and its
// close too: it shares the listener's port, so it is no hand-out (`+`) and
// its close no release (`-`), as the header and explain count them.
func TestFeedMarksAcceptedConnections(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 120, 30)
	base := baseSockets() // listens on 0.0.0.0:8080
	m = update(m, firstBatch(t0, base))
	at := t0.Add(time.Second)
	client := sock(sampler.TCP, "127.0.0.1:45000", "127.0.0.1:8080", sampler.StateEstablished, 4000, "curl", at)
	accepted := sock(sampler.TCP, "127.0.0.1:8080", "127.0.0.1:45000", sampler.StateEstablished, 1500, "python3", at)
	c.t = at
	m = update(m, nextBatchMsg(at, append(append([]sampler.Socket(nil), base...), client, accepted),
		sampler.Event{Kind: sampler.Opened, Time: at, Socket: client},
		sampler.Event{Kind: sampler.Opened, Time: at, Socket: accepted}))
	c.t = at.Add(2 * time.Second)
	m = update(m, nextBatchMsg(c.t, base,
		sampler.Event{Kind: sampler.Closed, Time: c.t, Socket: client, Held: 2 * time.Second},
		sampler.Event{Kind: sampler.Closed, Time: c.t, Socket: accepted, Held: 2 * time.Second}))
	v := feedViewAt(m.feed, c.t, false)
	for _, want := range []string{
		"+ 45000/tcp curl -> 127.0.0.1:8080",
		"» 8080/tcp python3 accepted from 127.0.0.1:45000",
		"- 45000/tcp curl held 2.0s",
		"« 8080/tcp python3 from 127.0.0.1:45000 closed after 2.0s",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("feed lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "+ 8080/tcp") || strings.Contains(v, "- 8080/tcp") {
		t.Errorf("an accepted connection shown as a hand-out or release:\n%s", v)
	}
}

// The header sets porttop's count against the kernel's as of the same
// instant: opens reported from release reports since the counters were
// read are not a surplus.
func TestHeaderComparesCountsAtOneInstant(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 120, 30)
	first := firstBatch(t0, baseSockets())
	first.Batch.Kernel = &sampler.KernelCounters{ActiveOpens: 10, PassiveOpens: 10}
	next := nextBatchMsg(t0.Add(time.Second), baseSockets())
	next.Batch.Kernel = &sampler.KernelCounters{ActiveOpens: 12, PassiveOpens: 11}
	next.Batch.ReportedTCP, next.Batch.ReportedTCPAtKernel = 5, 3
	m = update(m, first, next)
	if v := m.View(); !strings.Contains(v, "TCP connections opened: kernel 3, porttop saw 3") {
		t.Errorf("the header should compare 3 with 3:\n%s", v)
	}
}

// The header's figures of a machine-wide snapshot (counts, the fullest
// other namespace, the listeners) are made off the UI goroutine with the
// table's rows and taken in as they are; a batch that changes the OS
// ephemeral range has them counted again for the new range, so the screen
// is the one a batch taken whole shows.
func TestHeaderFiguresMadeOffTheUIGoroutine(t *testing.T) {
	c := &clock{t: t0}
	whole, prep := newTestModel(t, c, 120, 30), newTestModel(t, c, 120, 30)
	first := withRange(nextBatchMsg(t0, baseSockets()), defaultEphemeral, t0)
	whole, prep = update(whole, first), update(prep, preparedOf(prep, first))

	// Made for the range in force: taken as they are.
	c.advance(time.Second)
	msg := viewMsg(prep, nextBatchMsg(c.t, baseSockets())).(BatchMsg)
	p := prep.prep.prepare(msg.Batch)
	if p.wide == nil {
		t.Fatal("no header figures made with the batch's rows")
	}
	p.wide.counts.Sockets = 424242
	if got := update(prep, preparedMsg{msg, p}).stats.counts.Sockets; got != 424242 {
		t.Errorf("the header counts %d sockets, not the %d made off the UI goroutine", got, 424242)
	}

	// Made for the old range, the batch bringing a new one: counted again.
	c.advance(time.Second)
	changed := withRange(nextBatchMsg(c.t, exhausted()), narrowEphemeral, c.t)
	whole, prep = update(whole, changed), update(prep, preparedOf(prep, changed))
	if w, p := whole.View(), prep.View(); w != p {
		t.Errorf("after a range change the screen differs from a batch taken whole:\n%s\nwant\n%s", p, w)
	}
	if got, want := prep.stats.counts, whole.stats.counts; got != want {
		t.Errorf("counts %+v for the new range, want %+v", got, want)
	}
}
