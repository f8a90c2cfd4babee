package ui

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/history"
)

// A server port's history counts the listener's bind as its one hand-out
// and tells the connections it accepted apart.
func TestHistoryLinesServerPort(t *testing.T) {
	start := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	listener := sampler.Socket{
		ID:    sampler.ID{Proto: sampler.TCP, Local: netip.MustParseAddrPort("127.0.0.1:8766"), Remote: netip.MustParseAddrPort("0.0.0.0:0")},
		State: sampler.StateListen,
		Owner: sampler.Owner{PID: 3100, Process: "python3"},
	}
	tr := history.NewTracker(16)
	tr.Observe([]sampler.Event{{Kind: sampler.Opened, Time: start, Socket: listener}})
	for i := range 3 {
		conn := listener
		conn.Remote, conn.State = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(41000+i)), sampler.StateEstablished
		at := start.Add(time.Duration(10+i) * time.Second)
		tr.Observe([]sampler.Event{{Kind: sampler.Opened, Time: at, Socket: conn}})
		tr.Observe([]sampler.Event{{Kind: sampler.Closed, Time: at.Add(time.Second), Socket: conn, Held: time.Second}})
	}
	got := strings.Join(historyLines(tr.Port(0, 8766), start, start.Add(time.Minute)), "\n")
	for _, want := range []string{
		"Handed out once this run.",
		"Its listener accepted 3 connections (they share its port: not hand-outs).",
		"python3 (pid 3100) accepted from 127.0.0.1:41002 held 1.0s",
		"python3 (pid 3100) still open LISTEN",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "held 3s in all") || strings.Contains(got, "-> 127.0.0.1:4100") {
		t.Errorf("accepted connections counted as hand-outs:\n%s", got)
	}
}
