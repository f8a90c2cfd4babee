package sampler

import (
	"encoding/binary"
	"net/netip"
	"time"
)

// StartMark tells the closes of sockets that were open before porttop
// started: one already there at the first sample (an Existing open) is first
// seen then, so the Held of its close counts from porttop's start, not from
// its open. Mark sets HeldAtLeast on those closes, so that a feed says "held
// at least 1.8s" rather than "held 1.8s" of a TIME_WAIT that had been
// waiting for a minute. It is for one stream of batches, in order; the zero
// value is ready. It remembers the first sample's sockets by ID until they
// close: memory bounded by that one snapshot. A socket that came into view
// when a filter changed is first seen then too, but is not marked: only
// porttop's start is a known bound.
type StartMark struct {
	first time.Time // the first sample's time; zero before it
	// open are the first sample's sockets not closed yet (see startSet);
	// held connections stay in it for as long as they live.
	open startSet
}

// startSet is a set of sockets, kept in 16 bytes each where it can be: by
// cookie and protocol where they have a cookie (sock_diag, ebpf), by their
// addresses packed (v4Key) where both are IPv4 (sources without cookies:
// gopsutil on other OSes, recordings), by the whole 80-byte ID otherwise.
// Its maps are made again, smaller, once most of what they held has closed
// (see shrink): a map never gives its room back, and the first sample of a
// busy machine can hold 150k sockets, most of them TIME_WAIT gone a minute
// later.
type startSet struct {
	byCookie map[cookieProto]struct{}
	byV4     map[v4Key]struct{}
	byID     map[ID]struct{}
	// peak is the most sockets held since the maps were last made.
	peak int
}

type cookieProto struct {
	cookie uint64
	proto  Proto
}

// v4Key is an ID without a cookie whose addresses are IPv4 or unset,
// packed: the protocol, each address's kind (unset or IPv4), address and
// port.
type v4Key struct{ local, remote uint64 }

// v4KeyOf is id's v4Key, false when an address is neither IPv4 nor unset.
func v4KeyOf(id ID) (v4Key, bool) {
	l, okL := packV4(id.Local)
	r, okR := packV4(id.Remote)
	if !okL || !okR {
		return v4Key{}, false
	}
	return v4Key{local: uint64(id.Proto)<<56 | l, remote: r}, true
}

// packV4 is ap in 49 bits: 1 for an IPv4 address (0: unset), the address,
// the port.
func packV4(ap netip.AddrPort) (uint64, bool) {
	a := ap.Addr()
	switch {
	case !a.IsValid():
		return uint64(ap.Port()), true
	case a.Is4():
		b := a.As4()
		return 1<<48 | uint64(binary.BigEndian.Uint32(b[:]))<<16 | uint64(ap.Port()), true
	}
	return 0, false
}

// shrinkFrom is the least peak whose maps are made again once a quarter
// of it is left.
const shrinkFrom = 4096

func (o *startSet) len() int { return len(o.byCookie) + len(o.byV4) + len(o.byID) }

func (o *startSet) add(id ID) {
	defer func() { o.peak = max(o.peak, o.len()) }()
	if id.Cookie != 0 {
		if o.byCookie == nil {
			o.byCookie = make(map[cookieProto]struct{})
		}
		o.byCookie[cookieProto{id.Cookie, id.Proto}] = struct{}{}
		return
	}
	if k, ok := v4KeyOf(id); ok {
		if o.byV4 == nil {
			o.byV4 = make(map[v4Key]struct{})
		}
		o.byV4[k] = struct{}{}
		return
	}
	if o.byID == nil {
		o.byID = make(map[ID]struct{})
	}
	o.byID[id] = struct{}{}
}

func (o *startSet) has(id ID) bool {
	var ok bool
	switch k, v4 := v4KeyOf(id); {
	case id.Cookie != 0:
		_, ok = o.byCookie[cookieProto{id.Cookie, id.Proto}]
	case v4:
		_, ok = o.byV4[k]
	default:
		_, ok = o.byID[id]
	}
	return ok
}

func (o *startSet) remove(id ID) {
	switch k, v4 := v4KeyOf(id); {
	case id.Cookie != 0:
		delete(o.byCookie, cookieProto{id.Cookie, id.Proto})
	case v4:
		delete(o.byV4, k)
	default:
		delete(o.byID, id)
	}
}

// shrink makes the maps again at the size they hold once a quarter of
// their peak is left.
func (o *startSet) shrink() {
	n := o.len()
	if o.peak < shrinkFrom || 4*n > o.peak {
		return
	}
	o.byCookie, o.byV4, o.byID = remade(o.byCookie), remade(o.byV4), remade(o.byID)
	o.peak = n
}

// remade is a copy of m in a map of its size; nil for an empty one.
func remade[K comparable](m map[K]struct{}) map[K]struct{} {
	if len(m) == 0 {
		return nil
	}
	c := make(map[K]struct{}, len(m))
	for k := range m {
		c[k] = struct{}{}
	}
	return c
}

// Observe takes a batch of the machine-wide stream: its first sample (the
// first batch with a time) sets porttop's start and the sockets open then,
// its Existing opens. Call it before Mark on the same batch.
func (s *StartMark) Observe(b *Batch) {
	if !s.first.IsZero() || b.Snapshot.Time.IsZero() {
		return
	}
	s.first = b.Snapshot.Time
	var existing time.Time
	for i := range b.Events {
		e := &b.Events[i]
		if !e.Existing || e.Kind != Opened {
			continue
		}
		s.open.add(e.Socket.ID)
		// A replay's first batch may reach past the recording's first
		// sample: its Existing opens' time is the start.
		if e.When().After(existing) {
			existing = e.When()
		}
	}
	if !existing.IsZero() {
		s.first = existing
	}
}

// First is the first sample's time, zero before it.
func (s *StartMark) First() time.Time { return s.first }

// Mark sets HeldAtLeast on the closes among events of sockets open at the
// first sample, and forgets them. The same close may come in several lists
// (the header's stream, the table's, the history's): each copy is marked.
func (s *StartMark) Mark(lists ...[]Event) {
	if s.open.len() == 0 {
		return
	}
	var closed []ID
	for _, events := range lists {
		for i := range events {
			e := &events[i]
			if e.Kind != Closed {
				continue
			}
			if s.open.has(e.Socket.ID) {
				e.HeldAtLeast = true
				closed = append(closed, e.Socket.ID)
			}
		}
	}
	for _, id := range closed {
		s.open.remove(id)
	}
	if len(closed) > 0 {
		s.open.shrink()
	}
}

// OpenAtStart reports whether sock was open at the first sample and has not
// closed since: it was open before porttop started, so its Since (the first
// sample) is a lower bound.
func (s *StartMark) OpenAtStart(sock *Socket) bool {
	return s.open.has(sock.ID)
}
