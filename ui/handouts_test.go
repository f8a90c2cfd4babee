package ui

import (
	"strconv"
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
