package sampler

import (
	"cmp"
	"encoding/binary"
	"net/netip"
	"slices"
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
	// more: the first sample's Existing opens go on in the next batch.
	more bool
}

// startSet is a set of sockets, kept in 16 bytes each where it can be: by
// cookie and protocol where they have a cookie (sock_diag, ebpf), by their
// addresses packed (v4Key) where both are IPv4 (sources without cookies:
// gopsutil on other OSes, recordings), by the whole 80-byte ID otherwise.
// It is filled once, from the first sample, and only shrinks after: the
// keys are a sorted slice (sortedKeys), 16 bytes a socket and a bit, not a
// map (~46 bytes a socket at 100k: 4.6 MB held by watch for as long as
// those sockets live, and the sizes a map passes through as it grows, at
// porttop's start, when its heap peaks). Its slices are made again,
// smaller, once most of what they held has closed (see shrink): the first
// sample of a busy machine can hold 150k sockets, most of them TIME_WAIT
// gone a minute later.
type startSet struct {
	byCookie sortedKeys[cookieProto]
	byV4     sortedKeys[v4Key]
	byID     map[ID]struct{}
	// peak is the most sockets held since the slices were last made.
	peak int
}

type cookieProto struct {
	cookie uint64
	proto  Proto
}

func compareCookieProto(a, b cookieProto) int {
	if c := cmp.Compare(a.cookie, b.cookie); c != 0 {
		return c
	}
	return cmp.Compare(a.proto, b.proto)
}

// v4Key is an ID without a cookie whose addresses are IPv4 or unset,
// packed: the protocol, each address's kind (unset or IPv4), address and
// port.
type v4Key struct{ local, remote uint64 }

func compareV4Key(a, b v4Key) int {
	if c := cmp.Compare(a.local, b.local); c != 0 {
		return c
	}
	return cmp.Compare(a.remote, b.remote)
}

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

// shrinkFrom is the least peak whose slices are made again once a quarter
// of it is left.
const shrinkFrom = 4096

func (o *startSet) len() int { return o.byCookie.live + o.byV4.live + len(o.byID) }

// add adds id; the set answers for it once sealed (see seal).
func (o *startSet) add(id ID) {
	if id.Cookie != 0 {
		o.byCookie.add(cookieProto{id.Cookie, id.Proto})
		return
	}
	if k, ok := v4KeyOf(id); ok {
		o.byV4.add(k)
		return
	}
	if o.byID == nil {
		o.byID = make(map[ID]struct{})
	}
	o.byID[id] = struct{}{}
}

// grow makes room for n more keys of each kind that ids holds.
func (o *startSet) grow(ids func(yield func(ID) bool)) {
	var cookies, v4 int
	for id := range ids {
		if id.Cookie != 0 {
			cookies++
		} else if _, ok := v4KeyOf(id); ok {
			v4++
		}
	}
	o.byCookie.keys = slices.Grow(o.byCookie.keys, cookies)
	o.byV4.keys = slices.Grow(o.byV4.keys, v4)
}

// seal sorts what add added, for has and remove.
func (o *startSet) seal() {
	o.byCookie.seal(compareCookieProto)
	o.byV4.seal(compareV4Key)
	o.peak = max(o.peak, o.len())
}

// unseal makes the set ready to add to again, to be sealed again with
// what is added.
func (o *startSet) unseal() {
	o.byCookie.unseal()
	o.byV4.unseal()
}

func (o *startSet) has(id ID) bool {
	switch k, v4 := v4KeyOf(id); {
	case id.Cookie != 0:
		_, ok := o.byCookie.find(cookieProto{id.Cookie, id.Proto}, compareCookieProto)
		return ok
	case v4:
		_, ok := o.byV4.find(k, compareV4Key)
		return ok
	default:
		_, ok := o.byID[id]
		return ok
	}
}

func (o *startSet) remove(id ID) {
	switch k, v4 := v4KeyOf(id); {
	case id.Cookie != 0:
		o.byCookie.remove(cookieProto{id.Cookie, id.Proto}, compareCookieProto)
	case v4:
		o.byV4.remove(k, compareV4Key)
	default:
		delete(o.byID, id)
	}
}

// shrink makes the slices and the map again at the size they hold once a
// quarter of their peak is left.
func (o *startSet) shrink() {
	n := o.len()
	if o.peak < shrinkFrom || 4*n > o.peak {
		return
	}
	o.byCookie.remake()
	o.byV4.remake()
	o.byID = remade(o.byID)
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

// sortedKeys is a set of keys filled once (add, then seal) and then only
// emptied (remove): the keys sorted, each removed one marked in gone (a
// bit a key) rather than moved out, until remake.
type sortedKeys[K comparable] struct {
	keys []K
	gone []uint64
	live int // keys not gone
}

func (s *sortedKeys[K]) add(k K) { s.keys = append(s.keys, k) }

// seal sorts the keys by compare and drops those added twice.
func (s *sortedKeys[K]) seal(compare func(a, b K) int) {
	slices.SortFunc(s.keys, compare)
	s.keys = slices.Compact(s.keys)
	s.gone = make([]uint64, (len(s.keys)+63)/64)
	s.live = len(s.keys)
}

// find is k's index, false when k is not held (never added, or gone).
func (s *sortedKeys[K]) find(k K, compare func(a, b K) int) (int, bool) {
	i, ok := slices.BinarySearchFunc(s.keys, k, compare)
	if !ok || s.isGone(i) {
		return 0, false
	}
	return i, true
}

func (s *sortedKeys[K]) remove(k K, compare func(a, b K) int) {
	if i, ok := s.find(k, compare); ok {
		s.gone[i/64] |= 1 << (i % 64)
		s.live--
	}
}

// isGone tells whether the key at i was removed.
func (s *sortedKeys[K]) isGone(i int) bool { return s.gone[i/64]&(1<<(i%64)) != 0 }

// appendLive appends the keys not gone to dst, in order; dst may be
// s.keys[:0] (each key is read before its place is written).
func (s *sortedKeys[K]) appendLive(dst []K) []K {
	for i, k := range s.keys {
		if !s.isGone(i) {
			dst = append(dst, k)
		}
	}
	return dst
}

// unseal drops the keys gone, in place, for more to be added.
func (s *sortedKeys[K]) unseal() {
	kept := s.appendLive(s.keys[:0])
	clear(s.keys[len(kept):])
	s.keys, s.gone, s.live = kept, nil, len(kept)
}

// remake copies the keys not gone into slices of their size.
func (s *sortedKeys[K]) remake() {
	keys := s.appendLive(make([]K, 0, s.live))
	s.keys, s.gone, s.live = keys, make([]uint64, (len(keys)+63)/64), len(keys)
}

// Observe takes a batch of the machine-wide stream: its first sample (the
// first batch with a time) sets porttop's start and the sockets open then,
// its Existing opens, with those of the batches after it while they say
// more are to come (Batch.ExistingToCome: a feed that hands the first
// sample's opens out in parts). Call it before Mark on the same batch.
func (s *StartMark) Observe(b *Batch) {
	switch {
	case s.more: // a part after the first: its keys join those held
		s.open.unseal()
	case !s.first.IsZero() || b.Snapshot.Time.IsZero():
		return
	default:
		s.first = b.Snapshot.Time
		if b.ExistingToCome {
			// Room for all the parts at once, not a copy a part: the
			// first sample's table holds every socket they open.
			s.open.grow(func(yield func(ID) bool) {
				for i := range b.Snapshot.Sockets {
					if !yield(b.Snapshot.Sockets[i].ID) {
						return
					}
				}
			})
		}
	}
	s.more = b.ExistingToCome
	var existing time.Time
	s.open.grow(func(yield func(ID) bool) {
		for i := range b.Events {
			if e := &b.Events[i]; e.Existing && e.Kind == Opened && !yield(e.Socket.ID) {
				return
			}
		}
	})
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
	s.open.seal()
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
