package poll

import (
	"iter"

	"github.com/porttop/porttop/sampler"
)

// adjustment is what a step did to a socket of base: removed it (gone) or
// changed it (a state, an owner let go), or added a socket base never held.
type adjustment struct {
	gone   bool
	socket sampler.Socket
}

// adjustments holds the reconciler's adjustments since the last re-base, by
// release key (see releaseKey). Under churn it holds every socket changed
// since the last check: 10 s at 2,000 connections a second is ~50k, and
// in a map of 80-byte IDs to 256-byte adjustments that was ~340 bytes
// each (20 MB). Here a key with a cookie (almost all) is the 8-byte cookie
// in its protocol's map (a 64-bit key: the runtime's fast path, a third
// of the reconciler's map probing under churn was hashing and comparing
// 16-byte keys) and maps to a 4-byte slot; a gone socket keeps nothing more, a changed one its
// row in a slab of fixed chunks (no copy as it grows, kept for the next
// window). The TIME_WAIT sockets among them are found by their addresses
// through an 8-byte hash of them mapping to their slot (closeReplaced).
// BenchmarkEventChurnHeld: 614 bytes held per changed socket before, 252
// after (124 of them the TIME_WAIT sockets' rows).
type adjustments struct {
	tcp, udp map[uint64]int32     // by cookie, a map per protocol: slot, or goneSlot
	byID     map[sampler.ID]int32 // keys without a cookie (or of another protocol)
	chunks   [][]sampler.Socket   // the slab: slot i is chunks[i/slabChunk][i%slabChunk]
	used     int32                // slots ever handed out since clear
	free     []int32              // slots let go since clear
	tw       addrIndex            // TIME_WAIT sockets' addresses to their slot
}

// goneSlot marks a key whose socket is gone.
const goneSlot = -1

// slabChunk is the sockets of one chunk of the slab (~124 KB).
const slabChunk = 512

func newAdjustments() adjustments {
	a := adjustments{tcp: map[uint64]int32{}, udp: map[uint64]int32{}, byID: map[sampler.ID]int32{}}
	a.tw.reset()
	return a
}

// cookies is the map of key's protocol by cookie; nil when key has no
// cookie or another protocol (byID holds it).
func (a *adjustments) cookies(key sampler.ID) map[uint64]int32 {
	switch {
	case key.Cookie == 0:
		return nil
	case key.Proto == sampler.TCP:
		return a.tcp
	case key.Proto == sampler.UDP:
		return a.udp
	}
	return nil
}

func (a *adjustments) slot(key sampler.ID) (int32, bool) {
	if m := a.cookies(key); m != nil {
		i, ok := m[key.Cookie]
		return i, ok
	}
	i, ok := a.byID[key]
	return i, ok
}

func (a *adjustments) setSlot(key sampler.ID, i int32) {
	if m := a.cookies(key); m != nil {
		m[key.Cookie] = i
		return
	}
	a.byID[key] = i
}

func (a *adjustments) at(i int32) *sampler.Socket {
	return &a.chunks[i/slabChunk][i%slabChunk]
}

// len is how many keys are adjusted.
func (a *adjustments) len() int { return len(a.tcp) + len(a.udp) + len(a.byID) }

// get is key's adjustment.
func (a *adjustments) get(key sampler.ID) (adjustment, bool) {
	i, ok := a.slot(key)
	switch {
	case !ok:
		return adjustment{}, false
	case i == goneSlot:
		return adjustment{gone: true}, true
	}
	return adjustment{socket: *a.at(i)}, true
}

// has tells whether key is adjusted.
func (a *adjustments) has(key sampler.ID) bool {
	_, ok := a.slot(key)
	return ok
}

// row is key's changed socket where the slab holds it (nil: gone); false
// when key is not adjusted. It stays there until key is set again or the
// adjustments are cleared.
func (a *adjustments) row(key sampler.ID) (*sampler.Socket, bool) {
	i, ok := a.slot(key)
	if !ok || i == goneSlot {
		return nil, ok
	}
	return a.at(i), true
}

// rows yields every adjusted key with its socket where the slab holds it
// (see row; nil: gone), for a patch that points at them (patchForDiff).
func (a *adjustments) rows() iter.Seq2[sampler.ID, *sampler.Socket] {
	return func(yield func(sampler.ID, *sampler.Socket) bool) {
		for key := range a.all() {
			row, _ := a.row(key)
			if !yield(key, row) {
				return
			}
		}
	}
}

// set records adj for key, in the slot key had if any.
func (a *adjustments) set(key sampler.ID, adj adjustment) {
	i, ok := a.slot(key)
	if adj.gone {
		if ok && i != goneSlot {
			*a.at(i) = sampler.Socket{}
			a.free = append(a.free, i)
		}
		a.setSlot(key, goneSlot)
		return
	}
	if !ok || i == goneSlot {
		i = a.alloc()
		a.setSlot(key, i)
	}
	*a.at(i) = adj.socket
}

// alloc hands out a slot.
func (a *adjustments) alloc() int32 {
	if n := len(a.free); n > 0 {
		i := a.free[n-1]
		a.free = a.free[:n-1]
		return i
	}
	i := a.used
	a.used++
	if int(i/slabChunk) == len(a.chunks) {
		a.chunks = append(a.chunks, make([]sampler.Socket, slabChunk))
	}
	return i
}

// all yields every adjustment with its key. set may be called for the
// key yielded (nothing else).
func (a *adjustments) all() iter.Seq2[sampler.ID, adjustment] {
	return func(yield func(sampler.ID, adjustment) bool) {
		for _, p := range [...]sampler.Proto{sampler.TCP, sampler.UDP} {
			for c, i := range a.cookies(sampler.ID{Cookie: 1, Proto: p}) {
				if !yield(sampler.ID{Cookie: c, Proto: p}, a.adjustmentAt(i)) {
					return
				}
			}
		}
		for k, i := range a.byID {
			if !yield(k, a.adjustmentAt(i)) {
				return
			}
		}
	}
}

// adjustmentAt is the adjustment slot i (or goneSlot) stands for.
func (a *adjustments) adjustmentAt(i int32) adjustment {
	if i == goneSlot {
		return adjustment{gone: true}
	}
	return adjustment{socket: *a.at(i)}
}

// clear forgets every adjustment; the slab's chunks are kept for the next
// window (it fills to the same size under steady churn).
func (a *adjustments) clear() {
	clear(a.tcp)
	clear(a.udp)
	clear(a.byID)
	for c := range a.chunks {
		if int32(c*slabChunk) >= a.used {
			break
		}
		clear(a.chunks[c])
	}
	a.used, a.free = 0, a.free[:0]
	a.tw.reset()
}

// markTimeWait makes key's socket (adjusted, in TIME_WAIT) found by its
// addresses (timeWait).
func (a *adjustments) markTimeWait(key sampler.ID) {
	if i, ok := a.slot(key); ok && i != goneSlot {
		a.tw.put(&a.at(i).ID, i)
	}
}

// timeWait finds the release key of the adjusted socket with addr's
// addresses marked by markTimeWait. A hit is checked: the slot must still
// hold a socket with those addresses that is its key's.
func (a *adjustments) timeWait(addr sampler.ID) (sampler.ID, bool) {
	i, ok := a.tw.rowOf(&addr)
	if !ok || i >= a.used {
		return sampler.ID{}, false
	}
	s := a.at(i)
	if s.State != sampler.StateTimeWait || addressesOf(s.ID) != addressesOf(addr) {
		return sampler.ID{}, false
	}
	key := releaseKey(s.ID)
	if j, ok := a.slot(key); !ok || j != i {
		return sampler.ID{}, false
	}
	return key, true
}

// forgetTimeWait drops addr from what timeWait finds.
func (a *adjustments) forgetTimeWait(addr sampler.ID) {
	a.tw.remove(&addr)
}
