package history

import (
	"container/list"
	"time"

	"github.com/porttop/porttop/sampler"
)

// maxNames caps the interned process names; beyond it a port's fixed slot
// records no name (its detail still does), so memory stays bounded even if
// process names never repeat.
const maxNames = 4096

// slot is one port's exact summary, 48 bytes, in pages of slotPage ports
// made when a port of theirs is first used: all 65536 ports of both
// protocols took 6 MB, most of it for ports a machine never uses (UDP's,
// TCP's below the ephemeral range but for its servers').
type slot struct {
	lastSeen, lastFree, totalHeld int64 // unix nanoseconds; 0 = never
	handedOut, accepted, inUse    uint32
	lastPID                       int32
	lastName                      uint16 // index into Tracker.names; 0 = unknown
	// acceptedOpen counts the accepted connections still open on the port,
	// judged when each opened, so their closes stay apart from hand-outs
	// after the listener has gone (see closesAccepted).
	acceptedOpen uint32
}

// Tracker remembers this run's history of local ports. It is not safe for
// concurrent use: feed and query it from one goroutine.
type Tracker struct {
	slots       [2][65536 / slotPage]*[slotPage]slot
	lost        [2][65536 / 64]uint64 // bit set: detail evicted once
	maxDetailed int
	detail      map[uint32]*list.Element // key protoIndex<<16 | port
	lru         list.List                // of *detail, most recent at front
	names       []string
	nameIndex   map[string]uint16
	// latest is the newest time heard of (events or Advance), unix ns: a
	// port still in use was seen in use then.
	latest int64
	// listeners tells a port handed out from a connection accepted on a
	// listener's port.
	listeners listenerSet
}

// NewTracker keeps per-use detail for at most maxDetailed ports (4096 is a
// good size); 0 or less keeps none, only the exact counts and times.
func NewTracker(maxDetailed int) *Tracker {
	return &Tracker{
		maxDetailed: maxDetailed,
		detail:      make(map[uint32]*list.Element),
		names:       []string{""},
		nameIndex:   map[string]uint16{"": 0},
	}
}

// slotPage is how many ports' slots are made at once (48 KB).
const slotPage = 1024

// noSlot is the slot of a port never used.
var noSlot slot

// slot is the port's slot to write, its page made if it was not.
func (t *Tracker) slot(pi int, port uint16) *slot {
	pg := &t.slots[pi][port/slotPage]
	if *pg == nil {
		*pg = new([slotPage]slot)
	}
	return &(*pg)[port%slotPage]
}

// peek is the port's slot to read: noSlot for a port never used.
func (t *Tracker) peek(pi int, port uint16) *slot {
	if pg := t.slots[pi][port/slotPage]; pg != nil {
		return &pg[port%slotPage]
	}
	return &noSlot
}

func protoIndex(p sampler.Proto) int {
	switch p {
	case sampler.TCP:
		return 0
	case sampler.UDP:
		return 1
	}
	return -1
}

// Observe feeds one batch's events in the order they happened. Events of
// other protocols are ignored. Whether an open hands out its port is judged
// by the listeners as they stand at the end of the batch, as the header
// judges by the batch's snapshot; a close is judged as its open was.
func (t *Tracker) Observe(events []sampler.Event) {
	t.listeners.update(events)
	for i := range events {
		t.observe(&events[i])
	}
}

// LearnListeners teaches the tracker the TCP listeners among sockets (a
// snapshot) that it has not been fed the opens of, counting nothing: no
// hand-out, no use. It is for a snapshot whose Existing opens the tracker
// is not fed because another sampler's batch counts them (a narrowed
// sampler's, beside the machine-wide one), so that the connections its
// listeners accept are still judged accepted whichever batch came first.
// A listener already known, from events or an earlier call, is not added
// again; one gone from sockets is not forgotten (its close does that).
func (t *Tracker) LearnListeners(sockets []sampler.Socket) {
	t.listeners.learn(sockets)
}

func (t *Tracker) observe(e *sampler.Event) {
	pi := protoIndex(e.Socket.Proto)
	if pi < 0 {
		return
	}
	port := e.Socket.Local.Port()
	s := t.slot(pi, port)
	at := e.Time.UnixNano()
	if e.Time.IsZero() {
		at = 0
	}
	s.lastSeen = max(s.lastSeen, at)
	t.latest = max(t.latest, at)
	if e.Socket.PID != 0 || e.Socket.Process != "" {
		s.lastPID = e.Socket.PID
		s.lastName = t.intern(e.Socket.Process)
	}
	d := t.touch(pi, port)
	switch e.Kind {
	case sampler.Opened:
		handsOut := t.listeners.handsOutPort(e)
		switch {
		case !handsOut:
			s.acceptedOpen++
			if !e.Existing {
				s.accepted++
			}
		case !e.Existing:
			s.handedOut++
		}
		s.inUse++
		if d != nil {
			d.opened(e, !handsOut)
		}
	case sampler.StateChanged:
		if d != nil {
			d.changed(e, !t.listeners.handsOutPort(e))
		}
	case sampler.Closed:
		accepted := t.closesAccepted(s, d, e)
		if accepted && s.acceptedOpen > 0 {
			s.acceptedOpen--
		}
		if s.inUse > 0 {
			s.inUse--
		}
		if s.inUse == 0 {
			s.lastFree = max(s.lastFree, at)
			s.acceptedOpen = 0 // nothing is open: forget any close never seen
		}
		if !accepted { // an accepted connection held no port of its own
			s.totalHeld += int64(e.Held)
		}
		if d != nil {
			d.closed(e, accepted)
		}
	}
}

func (t *Tracker) intern(name string) uint16 {
	if i, ok := t.nameIndex[name]; ok {
		return i
	}
	if len(t.names) >= maxNames {
		return 0
	}
	i := uint16(len(t.names))
	t.names = append(t.names, name)
	t.nameIndex[name] = i
	return i
}

// touch returns the port's detail, created or moved to the front of the
// LRU, evicting the least recently active port beyond the cap.
func (t *Tracker) touch(pi int, port uint16) *detail {
	if t.maxDetailed <= 0 {
		return nil
	}
	key := uint32(pi)<<16 | uint32(port)
	if el, ok := t.detail[key]; ok {
		t.lru.MoveToFront(el)
		return el.Value.(*detail)
	}
	if len(t.detail) >= t.maxDetailed {
		// Recycle the least recently active port's detail: no allocation
		// once the cap is reached.
		el := t.lru.Back()
		d := el.Value.(*detail)
		delete(t.detail, d.key)
		opi, oport := d.key>>16, d.key&0xffff
		t.lost[opi][oport/64] |= 1 << (oport % 64)
		d.reset(key)
		t.detail[key] = el
		t.lru.MoveToFront(el)
		return d
	}
	d := &detail{key: key}
	t.detail[key] = t.lru.PushFront(d)
	return d
}

// Advance tells the tracker the time of a sample that brought no events
// (or no events yet), so ports still in use count as seen in use then.
func (t *Tracker) Advance(now time.Time) {
	if !now.IsZero() {
		t.latest = max(t.latest, now.UnixNano())
	}
}

// Port is the history of a local port; proto 0 merges tcp and udp.
func (t *Tracker) Port(proto sampler.Proto, port uint16) PortHistory {
	if proto == 0 {
		return merge(t.Port(sampler.TCP, port), t.Port(sampler.UDP, port))
	}
	pi := protoIndex(proto)
	if pi < 0 {
		return PortHistory{}
	}
	s := t.peek(pi, port)
	seen := s.lastSeen
	if s.inUse > 0 {
		seen = max(seen, t.latest)
	}
	h := PortHistory{
		HandedOut:  int(s.handedOut),
		Accepted:   int(s.accepted),
		InUse:      int(s.inUse),
		LastSeen:   fromNanos(seen),
		LastFree:   fromNanos(s.lastFree),
		TotalHeld:  time.Duration(s.totalHeld),
		DetailLost: t.lost[pi][port/64]&(1<<(port%64)) != 0,
	}
	if el, ok := t.detail[uint32(pi)<<16|uint32(port)]; ok {
		h.Recent = el.Value.(*detail).uses()
	}
	if len(h.Recent) > 0 {
		h.LastUse = h.Recent[0]
	} else if s.lastSeen != 0 {
		h.LastUse = Use{Process: t.names[s.lastName], PID: s.lastPID}
	}
	return h
}

// DetailedPorts is how many ports hold per-use detail now (at most the cap).
func (t *Tracker) DetailedPorts() int { return len(t.detail) }

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
