package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
)

// TestHistoryCountsFocusFirstExistingOnce: started with --filter 22, the
// focused sampler's first batch comes before the machine-wide one. The
// port history counts each socket already open once: the focus's report
// of those it covers (the machine-wide batch leaves them out as covered,
// or, sampled before the focus began, reports them again), the
// machine-wide batch's of the rest. So port 22 is in use by its two
// sockets, not by none ("Free since" beside sshd's listener) nor four, and
// a filter changed before the machine-wide batch comes counts nothing
// twice either.
func TestHistoryCountsFocusFirstExistingOnce(t *testing.T) {
	for _, tc := range []struct {
		name    string
		wideAt  time.Duration // the machine-wide first sample's time, from the focus's
		refocus string        // a filter applied before the machine-wide batch
	}{
		{name: "machine-wide sampled after the focus", wideAt: 200 * time.Millisecond},
		{name: "machine-wide sampled before the focus", wideAt: -100 * time.Millisecond},
		{name: "refocused on 22,8080 first", wideAt: 200 * time.Millisecond, refocus: "22,8080"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: t0}
			m, all := startedOnPort22FocusFirst(t, c)
			gen := uint64(1)
			if tc.refocus != "" {
				m = update(m, keys("/")...)
				m = update(m, tea.KeyMsg{Type: tea.KeyCtrlU})
				m = update(m, keys(tc.refocus)...)
				m = update(m, enter())
				asked := scriptOf(m).asked
				if gen = asked[len(asked)-1].gen; gen != 2 {
					t.Fatalf("filter %q: focus gen %d, want 2", tc.refocus, gen)
				}
				both := append(socketsUsingPort(all, 22), socketsUsingPort(all, 8080)...)
				m = update(m, existingFocusBatch(gen, both...))
			}
			m = update(m, firstBatch(t0.Add(tc.wideAt), all))
			for _, want := range []struct {
				port  uint16
				inUse int
			}{{22, 2}, {8080, 1}, {41822, 1}, {5432, 1}} {
				h := m.history.Port(sampler.TCP, want.port)
				if h.InUse != want.inUse || h.HandedOut != 0 || h.LastSeen.IsZero() {
					t.Errorf("port %d: in use %d, handed out %d, last seen %v; want %d, 0, seen", want.port, h.InUse, h.HandedOut, h.LastSeen, want.inUse)
				}
			}

			// sshd's connection closes; its listener stays.
			conn := all[2]
			closed := t0.Add(2 * time.Second)
			c.t = closed
			m = update(m, focusMsg{Gen: gen, Batch: sampler.Batch{
				Snapshot: sampler.Snapshot{Time: closed, Sockets: []sampler.Socket{all[0]}},
				Events:   []sampler.Event{{Kind: sampler.Closed, Time: closed, Socket: conn, Held: 5 * time.Minute}},
				Interval: 100 * time.Millisecond, Samples: 1, Source: "netlink"}})
			h := m.history.Port(sampler.TCP, 22)
			text := strings.Join(historyLines(h, m.started, c.Now()), " ")
			if h.InUse != 1 || !strings.Contains(text, "In use now by 1 socket.") || strings.Contains(text, "Free since") {
				t.Errorf("port 22 after its connection closed: in use %d, lines %q; want in use by its listener", h.InUse, text)
			}
		})
	}
}
