package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
)

// TestHistoryKnowsAFocusFirstListener: started with a port filter, the
// focused sampler's first batch (the listener on 8080, already open) comes
// before the machine-wide one, which then leaves the sockets the focus
// covers out. The port's history must still know the listener, as the
// header does: the connections it accepts afterwards are accepted, not
// ports handed out.
func TestHistoryKnowsAFocusFirstListener(t *testing.T) {
	for _, wideFirstBatch := range []bool{true, false} {
		name := "machine-wide first batch in between"
		if !wideFirstBatch {
			name = "no machine-wide batch yet"
		}
		t.Run(name, func(t *testing.T) {
			c := &clock{t: t0}
			cfg := testConfig(c)
			cfg.Filter = "8080"
			m, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			all := baseSockets()
			listener := all[1]
			if listener.Local.Port() != 8080 || listener.State != sampler.StateListen {
				t.Fatalf("baseSockets()[1] is %v, want the listener on 8080", listener.ID)
			}
			m = update(m, tea.WindowSizeMsg{Width: 100, Height: 30}, existingFocusBatch(1, listener))
			if wideFirstBatch {
				m = update(m, firstBatch(t0.Add(300*time.Millisecond), all))
			}
			const clients = 3
			for i := range clients {
				at := t0.Add(time.Duration(1+2*i) * time.Second)
				conn := sock(sampler.TCP, "10.0.0.5:8080", fmt.Sprintf("10.0.0.9:%d", 50000+i), sampler.StateEstablished, 1500, "python3", at)
				m = update(m, focusEvents(at, []sampler.Socket{listener, conn}, sampler.Event{Kind: sampler.Opened, Time: at, Socket: conn}))
				closed := at.Add(time.Second)
				m = update(m, focusEvents(closed, []sampler.Socket{listener}, sampler.Event{Kind: sampler.Closed, Time: closed, Socket: conn, Held: time.Second}))
			}
			h := m.history.Port(sampler.TCP, 8080)
			if h.HandedOut != 0 || h.Accepted != clients {
				t.Errorf("port 8080's history: handed out %d, accepted %d; want 0, %d", h.HandedOut, h.Accepted, clients)
			}
			text := strings.Join(historyLines(h, m.started, c.Now()), " ")
			if strings.Contains(text, "Handed out") || !strings.Contains(text, "Its listener accepted 3 connections") {
				t.Errorf("history lines: %q; want no hand-outs and the 3 accepted connections", text)
			}
		})
	}
}

// focusEvents is a later batch of focus 1: its snapshot and events.
func focusEvents(at time.Time, socks []sampler.Socket, events ...sampler.Event) focusMsg {
	return focusMsg{Gen: 1, Batch: sampler.Batch{
		Snapshot: sampler.Snapshot{Time: at, Sockets: socks},
		Events:   events, Interval: 100 * time.Millisecond, Samples: 1, Source: "netlink",
	}}
}
