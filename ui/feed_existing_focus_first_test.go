package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
)

// existingFocusBatch is a focus's first batch: the sockets it covers, all
// already open.
func existingFocusBatch(gen uint64, socks ...sampler.Socket) focusMsg {
	fb := focusBatch(gen, socks...)
	for i := range fb.Batch.Events {
		fb.Batch.Events[i].Existing = true
	}
	return fb
}

// socketsUsingPort is those of socks that use port p, either end.
func socketsUsingPort(socks []sampler.Socket, p uint16) []sampler.Socket {
	var on []sampler.Socket
	for _, s := range socks {
		if s.UsesPort(p) {
			on = append(on, s)
		}
	}
	return on
}

// startedOnPort22FocusFirst is porttop started with --filter 22 whose
// focused batch (sshd's listener and its connection, already open) comes
// before the machine-wide first batch; all is that batch's sockets, to send.
func startedOnPort22FocusFirst(t *testing.T, c *clock) (m Model, all []sampler.Socket) {
	t.Helper()
	cfg := testConfig(c)
	cfg.Filter = "22"
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	all = baseSockets()
	return update(m, tea.WindowSizeMsg{Width: 100, Height: 30}, existingFocusBatch(1, socketsUsingPort(all, 22)...)), all
}

// TestFeedExistingLineCountsTheMachineWideFirstSample: started with a port
// filter, the focused sampler's first batch (one port: cheap) can reach the
// view before the machine-wide one (a big table: slow). The feed's = line
// counts the focus's sockets only until the machine-wide first sample
// comes; from then on it counts that sample's, so clearing the filter
// shows every socket already open, not just the focus's.
func TestFeedExistingLineCountsTheMachineWideFirstSample(t *testing.T) {
	for _, paused := range []bool{false, true} {
		name := "live"
		if paused {
			name = "paused when the machine-wide batch came"
		}
		t.Run(name, func(t *testing.T) {
			m, all := startedOnPort22FocusFirst(t, &clock{t: t0})
			if v := m.View(); !strings.Contains(v, "= 2 sockets already open") {
				t.Errorf("focus batch only: want its 2 sockets counted:\n%s", v)
			}
			if paused {
				if m = update(m, keys(" ")...); !m.paused.on {
					t.Fatal("space did not pause the display")
				}
			}
			m = update(m, firstBatch(t0.Add(200*time.Millisecond), all))
			if paused {
				m = update(m, keys(" ")...)
			}
			if v := m.View(); !strings.Contains(v, "= 2 sockets already open") {
				t.Errorf("--filter 22 after the machine-wide first batch: want 2:\n%s", v)
			}
			m = update(m, escKey)
			v := m.View()
			if !strings.Contains(v, "= 6 sockets already open") {
				t.Errorf("filter cleared: want all 6 of the machine-wide first sample counted:\n%s", v)
			}
			if n := strings.Count(v, "already open"); n != 1 {
				t.Errorf("%d summary lines, want one:\n%s", n, v)
			}
		})
	}
}
