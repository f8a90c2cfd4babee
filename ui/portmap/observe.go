package portmap

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// flashFor is how long a cell flashes after one of its ports is handed out.
const flashFor = 2 * time.Second

// counts is the map's fixed-size memory, shared by copies of a Model: the
// ports in use in the newest snapshot, and when each port was last handed out.
type counts struct {
	inUse portSet
	// openedAt is the unix-nano time each port was last handed out, 0 never.
	openedAt [65536]int64
	// recent lists the ports handed out within flashFor of now (recentSet
	// says which are listed), so drawing the flashes costs O(recent).
	recent    []uint16
	recentSet portSet
	now       time.Time
	// geo is the geometry of the last View, for cursor moves.
	geo geometry
	// listeners is scratch for Observe, which has no shared listener set.
	listeners sampler.Listeners
}

// Observe takes a new snapshot and the events since the last one, finding
// the snapshot's listeners itself; see ObserveWithListeners.
func (m Model) Observe(snap sampler.Snapshot, events []sampler.Event, now time.Time) Model {
	if m.c == nil {
		m.c = &counts{}
	}
	m.c.listeners.Reset(snap.Sockets)
	return m.ObserveWithListeners(snap, events, now, &m.c.listeners)
}

// ObserveWithListeners takes a new snapshot and the events since the last
// one, with listeners already Reset from snap (so a caller feeding several
// panels finds them once per batch): it recounts the local ports in use (tcp
// and udp, any state) and marks the ports of new hand-outs (Opened events
// that are not Existing) to flash for two seconds. An accepted connection
// shares its listener's port, so its open flashes nothing. It costs
// O(sockets + events) plus clearing an 8 KiB bitmap.
func (m Model) ObserveWithListeners(snap sampler.Snapshot, events []sampler.Event, now time.Time, listeners *sampler.Listeners) Model {
	if m.c == nil {
		m.c = &counts{}
	}
	c := m.c
	c.now = now
	c.inUse.clear()
	for i := range snap.Sockets {
		if p := snap.Sockets[i].Local.Port(); p != 0 {
			c.inUse.add(p)
		}
	}
	for i := range events {
		ev := &events[i]
		if ev.Kind != sampler.Opened || ev.Existing || !listeners.HandsOutPort(ev) {
			continue
		}
		p := ev.Socket.Local.Port()
		if p == 0 {
			continue
		}
		t := ev.Time
		if t.IsZero() || t.After(now) {
			t = now
		}
		// Events come in time order, so the last one for a port is its
		// newest; no max with the old value, so a replay that restarts at
		// an earlier time flashes again.
		c.openedAt[p] = t.UnixNano()
		if !c.recentSet.has(p) {
			c.recentSet.add(p)
			c.recent = append(c.recent, p)
		}
	}
	kept := c.recent[:0]
	for _, p := range c.recent {
		if c.flashing(p) {
			kept = append(kept, p)
		} else {
			c.recentSet.remove(p)
		}
	}
	c.recent = kept
	return m
}

// flashing reports whether port p was handed out within flashFor before now
// (a hand-out stamped after now, left from a replay that jumped back, does
// not flash).
func (c *counts) flashing(p uint16) bool {
	at := c.openedAt[p]
	age := c.now.UnixNano() - at
	return at != 0 && age >= 0 && age < int64(flashFor)
}
