package eventfeed

import (
	"net/netip"
	"slices"

	"github.com/porttop/porttop/sampler"
)

// existingSet is the sockets already open at the start, kept for the `=`
// line to count those a filter matches, whatever filter is set later. A
// filter reads a socket's addresses and ports, protocol, state, owner and
// place, not its cookie, times or inode; the sockets of a busy machine
// share most of what it reads and differ in their ports. So each is kept
// as its ports (4 bytes) and the index of its shape (the socket less its
// cookie, ports, times and inode), each shape once: about 8 bytes a
// socket and a shape per program, address pair and state, where a copy of
// every socket took 168 bytes each (17 MB at 100k sockets, held until the
// `=` line left the ring). At worst (every socket a shape of its own) it
// holds what the copy did.
type existingSet struct {
	shapes []sampler.Socket
	index  map[sampler.Socket]uint32 // shape -> its place in shapes; nil once sealed
	socks  []existingSocket
}

type existingSocket struct {
	shape         uint32
	local, remote uint16
}

// shapeOf is s less what a filter does not read and the ports (kept
// beside it).
func shapeOf(s *sampler.Socket) sampler.Socket {
	k := *s
	k.Cookie, k.Since, k.TimeWaitEnds, k.Inode = 0, 0, 0, 0
	k.Local = netip.AddrPortFrom(s.Local.Addr(), 0)
	k.Remote = netip.AddrPortFrom(s.Remote.Addr(), 0)
	return k
}

// add keeps the sockets of events' Existing opens.
func (x *existingSet) add(events []sampler.Event) {
	n := 0
	for i := range events {
		if events[i].Existing {
			n++
		}
	}
	if n == 0 {
		return
	}
	if x.index == nil {
		x.index = make(map[sampler.Socket]uint32)
		for i := range x.shapes {
			x.index[x.shapes[i]] = uint32(i)
		}
	}
	if need := len(x.socks) + n; need > cap(x.socks) {
		// Doubling: the parts of a first sample come 8,192 at a time.
		x.socks = slices.Grow(x.socks, max(need, 2*cap(x.socks))-len(x.socks))
	}
	for i := range events {
		e := &events[i]
		if !e.Existing {
			continue
		}
		k := shapeOf(&e.Socket)
		at, ok := x.index[k]
		if !ok {
			at = uint32(len(x.shapes))
			x.shapes = append(x.shapes, k)
			x.index[k] = at
		}
		x.socks = append(x.socks, existingSocket{shape: at, local: e.Socket.Local.Port(), remote: e.Socket.Remote.Port()})
	}
}

// seal lets the index go once no more sockets are to come: the shapes and
// ports are all the count needs.
func (x *existingSet) seal() { x.index = nil }

// len is how many sockets are kept.
func (x *existingSet) len() int { return len(x.socks) }

// count is how many of the sockets from the from-th on match (nil: all).
func (x *existingSet) count(from int, match func(*sampler.Event) bool) int {
	if match == nil {
		return len(x.socks) - from
	}
	n := 0
	e := sampler.Event{Kind: sampler.Opened, Existing: true}
	for _, s := range x.socks[from:] {
		e.Socket = x.shapes[s.shape]
		e.Socket.Local = netip.AddrPortFrom(e.Socket.Local.Addr(), s.local)
		e.Socket.Remote = netip.AddrPortFrom(e.Socket.Remote.Addr(), s.remote)
		if match(&e) {
			n++
		}
	}
	return n
}
