package metrics

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

var (
	t0  = time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	eph = ports.Range{Lo: 32768, Hi: 60999}
)

// conn is a TCP socket from local port lport to remote.
func conn(lport uint16, remote string, st sampler.State) sampler.Socket {
	return sampler.Socket{
		ID: sampler.ID{Proto: sampler.TCP,
			Local:  netip.AddrPortFrom(netip.MustParseAddr("10.0.0.1"), lport),
			Remote: netip.MustParseAddrPort(remote)},
		State: st,
		Owner: sampler.Owner{UID: -1},
	}
}

func batch(at time.Duration, sockets []sampler.Socket, events ...sampler.Event) sampler.Batch {
	return sampler.Batch{Snapshot: sampler.Snapshot{Time: t0.Add(at), Sockets: sockets}, Events: events, Samples: 1, Cost: time.Millisecond}
}

func TestStateCountsDestinationsAndStates(t *testing.T) {
	s := NewState(Options{Ephemeral: eph, TopN: 2})
	db, web, cache := "10.0.0.9:5432", "10.0.0.8:443", "10.0.0.7:6379"
	s.Observe(batch(0, []sampler.Socket{
		conn(40000, db, sampler.StateEstablished),
		conn(40001, db, sampler.StateEstablished),
		conn(40002, db, sampler.StateTimeWait),
		conn(40000, web, sampler.StateEstablished), // same local port, other destination
		conn(40003, web, sampler.StateEstablished),
		conn(40004, cache, sampler.StateEstablished),
		conn(8080, "10.0.0.5:51000", sampler.StateEstablished), // served, not ephemeral
		{ID: sampler.ID{Proto: sampler.TCP, Local: netip.MustParseAddrPort("0.0.0.0:40005")}, State: sampler.StateListen},
		// Accepted by that listener: its port is the listener's, the
		// remote end a client, not a destination.
		conn(40005, "10.0.0.6:52000", sampler.StateEstablished),
	}))
	top := s.Top()
	if len(top) != 2 || top[0].Remote.String() != db || top[0].Ports != 3 || top[1].Remote.String() != web || top[1].Ports != 2 {
		t.Fatalf("top = %+v, want %s 3, %s 2", top, db, web)
	}
	if got := s.Other(sampler.TCP); got != 1 {
		t.Errorf("other = %d, want 1 (the cache)", got)
	}
	if got := s.Destinations(); got != 3 {
		t.Errorf("destinations = %d, want 3", got)
	}
	if got := s.PortsUsed(); got != 5 {
		t.Errorf("ports used = %d, want 5 (40000-40004; the listener and port 8080 left out)", got)
	}
	if got := s.InUse(sampler.TCP, sampler.StateEstablished); got != 5 {
		t.Errorf("established ephemeral = %d, want 5", got)
	}
	if got := s.TimeWait(); got != 1 {
		t.Errorf("time-wait = %d, want 1", got)
	}

	// The next snapshot replaces the gauges: the database's sockets went.
	s.Observe(batch(time.Second, []sampler.Socket{conn(40004, cache, sampler.StateEstablished)}))
	if top := s.Top(); len(top) != 1 || top[0].Remote.String() != cache || s.Other(sampler.TCP) != 0 || s.PortsUsed() != 1 || s.TimeWait() != 0 {
		t.Errorf("after the table emptied: top %+v other %d used %d tw %d", top, s.Other(sampler.TCP), s.PortsUsed(), s.TimeWait())
	}
}

func TestStateCountsEventsAndKernel(t *testing.T) {
	s := NewState(Options{Ephemeral: eph})
	c := conn(40000, "10.0.0.9:5432", sampler.StateEstablished)
	b := batch(0, []sampler.Socket{c}, sampler.Event{Kind: sampler.Opened, Socket: c, Existing: true})
	b.Kernel = &sampler.KernelCounters{ActiveOpens: 100, PassiveOpens: 50}
	s.Observe(b)
	if s.Handouts(sampler.TCP) != 0 {
		t.Errorf("an existing socket counted as a hand-out")
	}
	b = batch(time.Second, nil,
		sampler.Event{Kind: sampler.Opened, Socket: conn(40001, "10.0.0.9:5432", sampler.StateEstablished)},
		sampler.Event{Kind: sampler.Closed, Socket: c, Held: 2 * time.Second},
		sampler.Event{Kind: sampler.Closed, Socket: conn(40001, "10.0.0.9:5432", sampler.StateEstablished), Held: 20 * time.Millisecond})
	b.Kernel = &sampler.KernelCounters{ActiveOpens: 104, PassiveOpens: 51}
	b.ReportedTCPAtKernel = 3
	s.Observe(b)
	if s.Handouts(sampler.TCP) != 1 || s.Releases(sampler.TCP) != 2 {
		t.Errorf("handouts %d releases %d, want 1 and 2", s.Handouts(sampler.TCP), s.Releases(sampler.TCP))
	}
	// A connection accepted by a listener hands no port out.
	ln := sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: netip.MustParseAddrPort("0.0.0.0:8080")}, State: sampler.StateListen}
	served := conn(8080, "10.0.0.6:52000", sampler.StateEstablished)
	s.Observe(batch(2*time.Second, []sampler.Socket{ln, served}, sampler.Event{Kind: sampler.Opened, Socket: served}))
	if s.Handouts(sampler.TCP) != 1 || s.Releases(sampler.TCP) != 2 {
		t.Errorf("handouts %d releases %d, want 1 and 2", s.Handouts(sampler.TCP), s.Releases(sampler.TCP))
	}
	h := s.hold[0]
	if h.count != 2 || h.sum < 2.01 || h.sum > 2.03 || h.counts[1] != 1 || h.counts[4] != 1 {
		t.Errorf("hold histogram %+v: want one in <=0.1s and one in <=5s", h)
	}
	if a, p, ok := s.KernelOpens(); !ok || a != 4 || p != 1 || s.ReportedTCP() != 3 {
		t.Errorf("kernel %d/%d (%v) reported %d, want 4/1 since the first batch, 3 reported", a, p, ok, s.ReportedTCP())
	}
}

func TestStateFollowsRangeAndKeepsTableOnError(t *testing.T) {
	s := NewState(Options{Ephemeral: eph})
	s.Observe(batch(0, []sampler.Socket{conn(40000, "10.0.0.9:5432", sampler.StateEstablished)}))
	b := batch(time.Second, nil)
	b.Err = errors.New("netlink: no buffer space")
	s.Observe(b)
	if s.SampleErrors() != 1 || !s.lastErr || s.PortsUsed() != 1 {
		t.Errorf("a failed sample: errors %d, last failed %v, ports used %d (want 1, true, 1: the table kept)", s.SampleErrors(), s.lastErr, s.PortsUsed())
	}
	b = batch(2*time.Second, []sampler.Socket{conn(40000, "10.0.0.9:5432", sampler.StateEstablished)})
	b.Ephemeral = sampler.EphemeralRange{Range: ports.Range{Lo: 41000, Hi: 41999}, Since: t0}
	s.Observe(b)
	if s.Ephemeral() != b.Ephemeral.Range || s.PortsUsed() != 0 || s.lastErr {
		t.Errorf("after the range moved to 41000-41999: range %v, ports used %d, last failed %v", s.Ephemeral(), s.PortsUsed(), s.lastErr)
	}
}

func TestStateFilterKeepsMatchingSockets(t *testing.T) {
	only5432 := func(sk *sampler.Socket) bool { return sk.Remote.Port() == 5432 }
	s := NewState(Options{Ephemeral: eph, Match: only5432})
	a, b := conn(40000, "10.0.0.9:5432", sampler.StateEstablished), conn(40001, "10.0.0.8:443", sampler.StateEstablished)
	s.Observe(batch(0, []sampler.Socket{a, b}, sampler.Event{Kind: sampler.Opened, Socket: a}, sampler.Event{Kind: sampler.Opened, Socket: b}))
	if s.Destinations() != 1 || s.Handouts(sampler.TCP) != 1 || s.sockets[0] != 1 {
		t.Errorf("filtered: destinations %d handouts %d sockets %d, want 1 each", s.Destinations(), s.Handouts(sampler.TCP), s.sockets[0])
	}
	// The kernel's host-wide count is not exported beside a filtered one.
	c := NewCollector(Options{Ephemeral: eph, Match: only5432})
	kb := batch(0, []sampler.Socket{a})
	kb.Kernel = &sampler.KernelCounters{ActiveOpens: 9}
	c.Observe(kb)
	if got := collected(t, c); strings.Contains(got, "kernel_tcp_opens") || strings.Contains(got, "reported_tcp_opens") {
		t.Errorf("a filtered collector exports the kernel's count:\n%s", got)
	}
}

// Observe keeps the newest table and hands back the one it is done with,
// once, so the feed can reuse its memory.
func TestStateHandsBackTables(t *testing.T) {
	s := NewState(Options{Ephemeral: eph})
	b1 := batch(0, []sampler.Socket{conn(40000, "10.0.0.9:5432", sampler.StateEstablished)})
	b2 := batch(time.Second, []sampler.Socket{conn(40001, "10.0.0.9:5432", sampler.StateEstablished)})
	if done := s.Observe(b1); done.Sockets != nil {
		t.Errorf("the first batch handed back %v", done)
	}
	if done := s.Observe(b2); &done.Sockets[0] != &b1.Snapshot.Sockets[0] {
		t.Errorf("the second batch did not hand back the first table")
	}
	b3 := batch(2*time.Second, nil)
	b3.Err = errors.New("sample failed")
	b3.Snapshot.Sockets = []sampler.Socket{}
	if done := s.Observe(b3); done.Sockets == nil || len(done.Sockets) != 0 {
		t.Errorf("a failed sample's own (empty) table was not handed back: %v", done)
	}
	// The kept table is b2's: counting it now sees port 40001.
	b1.Snapshot.Sockets[0] = sampler.Socket{} // the feed reusing b1's memory
	if s.PortsUsed() != 1 || s.Top()[0].Ports != 1 {
		t.Errorf("the gauges after the hand-back: used %d, top %+v", s.PortsUsed(), s.Top())
	}
}
