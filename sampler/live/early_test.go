package live

import (
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// onPort is those of socks that use port p, either end.
func onPort(socks []sampler.Socket, p uint16) []sampler.Socket {
	var on []sampler.Socket
	for _, s := range socks {
		if s.UsesPort(p) {
			on = append(on, s)
		}
	}
	return on
}

// existingOpens counts, per port, the Existing opens among events.
func existingOpens(counts map[uint16]int, events []sampler.Event) {
	for _, e := range events {
		if e.Kind == sampler.Opened && e.Existing {
			counts[e.Socket.Local.Port()]++
		}
	}
}

// Started with --filter 22, the focused sampler's first batch comes before
// the machine-wide one. The port history is fed each socket already open
// once: the focus's report of those it covers (the machine-wide batch
// leaves them out as covered, or, sampled before the focus began, reports
// them again), the machine-wide batch's of the rest; a filter changed
// before the machine-wide batch comes feeds nothing twice either.
func TestHistoryCountsFocusFirstExistingOnce(t *testing.T) {
	for _, tc := range []struct {
		name    string
		wideAt  time.Duration // the machine-wide first sample's time, from the focus's
		refocus []uint16      // ports of a filter applied before the machine-wide batch
	}{
		{name: "machine-wide sampled after the focus", wideAt: 200 * time.Millisecond},
		{name: "machine-wide sampled before the focus", wideAt: -100 * time.Millisecond},
		{name: "refocused on 22,8080 first", wideAt: 200 * time.Millisecond, refocus: []uint16{22, 8080}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m Merger
			all := machine()
			fed := map[uint16]int{}
			_, ask := refocus(t, &m, onePort(22))
			b := focused(t, &m, ask.Gen, existingAt(t0, onPort(all, 22)...))
			existingOpens(fed, b.History)
			if tc.refocus != nil {
				q := sampler.Query{}
				var both []sampler.Socket
				for _, p := range tc.refocus {
					q.Ports = append(q.Ports, sampler.PortRange{Lo: p, Hi: p})
					both = append(both, onPort(all, p)...)
				}
				_, ask = refocus(t, &m, q)
				if ask.Gen != 2 {
					t.Fatalf("focus gen %d, want 2", ask.Gen)
				}
				b = focused(t, &m, ask.Gen, existingAt(t0, both...))
				existingOpens(fed, b.History)
			}
			b = m.Wide(firstWide(t0.Add(tc.wideAt), all))
			existingOpens(fed, b.History)
			for _, want := range []struct {
				port  uint16
				count int
			}{{22, 2}, {8080, 1}, {41822, 1}, {5432, 1}} {
				if fed[want.port] != want.count {
					t.Errorf("port %d: %d sockets already open fed to the history, want %d", want.port, fed[want.port], want.count)
				}
			}

			// sshd's connection closes; its listener stays.
			conn := all[2]
			closed := t0.Add(2 * time.Second)
			b = focused(t, &m, ask.Gen, sampler.Batch{
				Snapshot: sampler.Snapshot{Time: closed, Sockets: []sampler.Socket{all[0]}},
				Events:   []sampler.Event{{Kind: sampler.Closed, Time: closed, Socket: conn, Held: 5 * time.Minute}},
				Interval: 100 * time.Millisecond, Samples: 1, Source: "netlink"})
			if count(b.History, sampler.Closed, 22) != 1 {
				t.Errorf("the close of port 22's connection: history got %+v", b.History)
			}
		})
	}
}

// Every focused batch teaches the history its snapshot's listeners: the
// connections a listener the focus reported first accepts are accepted,
// not ports handed out, though the machine-wide first batch leaves that
// listener out as covered.
func TestFocusedBatchesTeachListeners(t *testing.T) {
	for _, wideFirstBatch := range []bool{true, false} {
		var m Merger
		all := machine()
		listener := all[1]
		_, ask := refocus(t, &m, onePort(8080))
		b := focused(t, &m, ask.Gen, existingAt(t0, listener))
		if len(b.Listeners) != 1 || b.Listeners[0].ID != listener.ID {
			t.Errorf("the focus's first batch teaches %+v, want the listener on 8080", b.Listeners)
		}
		if wideFirstBatch {
			w := m.Wide(firstWide(t0.Add(300*time.Millisecond), all))
			if has(w.History, sampler.Opened, 8080) {
				t.Errorf("the machine-wide first batch fed the listener the focus reported again")
			}
		}
		at := t0.Add(time.Second)
		conn := sock(sampler.TCP, "10.0.0.5:8080", "10.0.0.9:50000", sampler.StateEstablished, 1500, "python3", at)
		b = focused(t, &m, ask.Gen, sampler.Batch{Snapshot: sampler.Snapshot{Time: at, Sockets: []sampler.Socket{listener, conn}},
			Events: []sampler.Event{opened(at, conn)}, Interval: 100 * time.Millisecond, Samples: 1})
		if len(b.Listeners) != 2 || !has(b.History, sampler.Opened, 8080) {
			t.Errorf("a later batch: teaches %d sockets, history %+v; want its snapshot's 2 and the open", len(b.Listeners), b.History)
		}
	}
}
