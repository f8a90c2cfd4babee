package live

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// The merge is tested as scripts: steps of the two feeds (machine-wide
// batches, focused batches) and of the view (its filter), each checked
// against the Batch the view gets.

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func sock(proto sampler.Proto, local, remote string, state sampler.State, pid int32, proc string, since time.Time) sampler.Socket {
	s := sampler.Socket{
		ID:    sampler.ID{Proto: proto, Local: netip.MustParseAddrPort(local)},
		State: state,
		Owner: sampler.Owner{PID: pid, Process: proc, UID: -1},
		Since: sampler.StampOf(since),
	}
	if remote != "" {
		s.Remote = netip.MustParseAddrPort(remote)
	}
	return s
}

// machine is a small machine: a web server, ssh, DNS, a couple of clients.
func machine() []sampler.Socket {
	return []sampler.Socket{
		sock(sampler.TCP, "0.0.0.0:22", "", sampler.StateListen, 812, "sshd", t0.Add(-time.Hour)),
		sock(sampler.TCP, "0.0.0.0:8080", "", sampler.StateListen, 1500, "python3", t0.Add(-10*time.Minute)),
		sock(sampler.TCP, "10.0.0.5:22", "10.0.0.9:51234", sampler.StateEstablished, 2040, "sshd", t0.Add(-5*time.Minute)),
		sock(sampler.TCP, "10.0.0.5:41822", "140.82.112.3:443", sampler.StateEstablished, 3100, "git", t0.Add(-20*time.Second)),
		sock(sampler.UDP, "127.0.0.53:53", "", sampler.StateNone, 640, "systemd-resolve", t0.Add(-2*time.Hour)),
		sock(sampler.TCP, "[::1]:5432", "", sampler.StateListen, 900, "postgres", t0.Add(-3*time.Hour)),
	}
}

// wget60716 is a socket only the focused sampler has seen yet.
func wget60716() sampler.Socket {
	return sock(sampler.TCP, "10.0.0.5:60716", "10.0.0.9:443", sampler.StateEstablished, 4100, "wget", t0)
}

func curl54112() sampler.Socket {
	return sock(sampler.TCP, "10.0.0.5:54112", "93.184.216.34:443", sampler.StateSynSent, 4242, "curl", t0)
}

func onePort(p uint16) sampler.Query {
	return sampler.Query{Ports: []sampler.PortRange{{Lo: p, Hi: p}}}
}

func opened(at time.Time, s sampler.Socket) sampler.Event {
	return sampler.Event{Kind: sampler.Opened, Time: at, Socket: s}
}

// firstWide is the machine-wide first sample at at: everything already there.
func firstWide(at time.Time, socks []sampler.Socket) sampler.Batch {
	ev := make([]sampler.Event, len(socks))
	for i, s := range socks {
		ev[i] = sampler.Event{Kind: sampler.Opened, Time: at, Socket: s, Existing: true}
	}
	return sampler.Batch{Snapshot: sampler.Snapshot{Time: at, Sockets: socks}, Events: ev, Interval: time.Second, Samples: 1, Source: "netlink"}
}

func wideAt(at time.Time, socks []sampler.Socket, events ...sampler.Event) sampler.Batch {
	return sampler.Batch{Snapshot: sampler.Snapshot{Time: at, Sockets: socks}, Events: events, Interval: time.Second, Samples: 1, Source: "netlink"}
}

// focusedAt is a focused batch sampled at at: socks, each reported opened.
func focusedAt(at time.Time, socks ...sampler.Socket) sampler.Batch {
	ev := make([]sampler.Event, len(socks))
	for i, s := range socks {
		ev[i] = opened(at, s)
	}
	return sampler.Batch{Snapshot: sampler.Snapshot{Time: at, Sockets: socks}, Events: ev,
		Interval: 100 * time.Millisecond, Cost: 300 * time.Microsecond, Samples: 1, Source: "netlink"}
}

// existingAt is a focus's first batch: socks, all already open.
func existingAt(at time.Time, socks ...sampler.Socket) sampler.Batch {
	b := focusedAt(at, socks...)
	for i := range b.Events {
		b.Events[i].Existing = true
	}
	return b
}

// refocus is the view setting a filter that asks q; it fails the test when
// no focus is asked for.
func refocus(t *testing.T, m *Merger, q sampler.Query) (Batch, Ask) {
	t.Helper()
	out, ask := m.Refocus(q)
	if ask.Gen == 0 {
		t.Fatalf("filter %+v: no focus asked", q)
	}
	return out, ask
}

// focused is a focused step the merge must take.
func focused(t *testing.T, m *Merger, gen uint64, b sampler.Batch) Batch {
	t.Helper()
	out, ok := m.Focused(gen, b)
	if !ok {
		t.Fatalf("a batch of focus %d was dropped", gen)
	}
	return out
}

// has reports whether events hold one of kind on port p.
func has(events []sampler.Event, kind sampler.EventKind, p uint16) bool {
	return slices.ContainsFunc(events, func(e sampler.Event) bool { return e.Kind == kind && e.Socket.UsesPort(p) })
}

func count(events []sampler.Event, kind sampler.EventKind, p uint16) int {
	n := 0
	for _, e := range events {
		if e.Kind == kind && e.Socket.UsesPort(p) {
			n++
		}
	}
	return n
}
