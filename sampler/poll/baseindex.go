package poll

import "github.com/porttop/porttop/sampler"

// baseIndex finds the poller's base sockets by release key: by cookie (an
// 8-byte hash) when a socket has one, by the whole 80-byte ID otherwise.
// Releases need it at most once per sample, for the whole table.
type baseIndex struct {
	byCookie map[uint64]int32
	byID     map[sampler.ID]int32
	// timeWait finds the TIME_WAIT sockets by their addresses alone (an ID
	// without cookie): a new connection may take over one's addresses.
	timeWait map[sampler.ID]int32
	// live finds the other TCP sockets by their addresses alone: kernel
	// transitions name a socket by its addresses (no cookie).
	live  map[sampler.ID]int32
	dups  bool // some release key is on two rows
	built bool
}

func (x *baseIndex) build(socks []sampler.Socket) {
	if x.byCookie == nil {
		x.byCookie, x.byID, x.timeWait = map[uint64]int32{}, map[sampler.ID]int32{}, map[sampler.ID]int32{}
	}
	if x.live == nil {
		x.live = map[sampler.ID]int32{}
	}
	clear(x.live)
	clear(x.byCookie)
	clear(x.byID)
	clear(x.timeWait)
	x.dups = false
	for i := range socks {
		id := socks[i].ID
		if socks[i].State == sampler.StateTimeWait {
			x.timeWait[addressesOf(id)] = int32(i)
		} else if id.Proto == sampler.TCP {
			x.live[addressesOf(id)] = int32(i)
		}
		var dup bool
		if id.Cookie != 0 {
			_, dup = x.byCookie[id.Cookie]
			x.byCookie[id.Cookie] = int32(i)
		} else {
			_, dup = x.byID[id]
			x.byID[id] = int32(i)
		}
		x.dups = x.dups || dup
	}
	x.built = true
}

// find looks up a release key (see releaseKey) among socks, the slice the
// index was built from. Of duplicate rows it finds the last.
func (x *baseIndex) find(socks []sampler.Socket, key sampler.ID) (int32, bool) {
	if key.Cookie != 0 {
		i, ok := x.byCookie[key.Cookie]
		return i, ok && socks[i].Proto == key.Proto
	}
	i, ok := x.byID[key]
	return i, ok
}
