package poll

import (
	"hash/maphash"
	"net/netip"

	"github.com/porttop/porttop/sampler"
)

// baseIndex finds the poller's base sockets by release key: by cookie (an
// 8-byte hash) when a socket has one, by the whole 80-byte ID otherwise.
// Releases need it at most once per sample, for the whole table.
type baseIndex struct {
	byCookie map[uint64]int32
	byID     map[sampler.ID]int32
	// timeWait finds the TIME_WAIT sockets by their addresses alone (an ID
	// without cookie): a new connection may take over one's addresses.
	timeWait addrIndex
	// live finds the other TCP sockets by their addresses alone: kernel
	// transitions name a socket by its addresses (no cookie).
	live  addrIndex
	dups  bool // some release key is on two rows
	built bool
	// lent: byCookie is read by a filtered check's goroutine (see lend);
	// a build meanwhile makes new maps rather than clear it.
	lent bool
}

func (x *baseIndex) build(socks []sampler.Socket) {
	if x.lent {
		x.byCookie, x.byID, x.lent = nil, nil, false
	}
	if x.byCookie == nil {
		x.byCookie, x.byID = map[uint64]int32{}, map[sampler.ID]int32{}
	}
	x.live.reset()
	x.timeWait.reset()
	clear(x.byCookie)
	clear(x.byID)
	x.dups = false
	for i := range socks {
		id := &socks[i].ID
		if socks[i].State == sampler.StateTimeWait {
			x.timeWait.put(id, int32(i))
		} else if id.Proto == sampler.TCP {
			x.live.put(id, int32(i))
		}
		var dup bool
		if id.Cookie != 0 {
			_, dup = x.byCookie[id.Cookie]
			x.byCookie[id.Cookie] = int32(i)
		} else {
			_, dup = x.byID[*id]
			x.byID[*id] = int32(i)
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

// RowOf is the row with cookie (sampler.CookieRows): the index lent to
// a check's diff (see Reconciler.diffBase).
func (x *baseIndex) RowOf(cookie uint64) (int32, bool) {
	i, ok := x.byCookie[cookie]
	return i, ok
}

// lend lends byCookie, built, to a filtered check's goroutine (see
// checkFilter), which reads it while the dump runs: until the loan ends
// (lent false), a build leaves it alone.
func (x *baseIndex) lend() map[uint64]int32 {
	x.lent = true
	return x.byCookie
}

// lendable reports whether the index can be lent to a diff of the table
// it was built from (sampler.CookieRows): built, every row with a cookie,
// no cookie on two rows.
func (x *baseIndex) lendable() bool { return x.built && !x.dups && len(x.byID) == 0 }

// addrIndex finds rows by their addresses alone (protocol, local and
// remote address: an ID without its cookie) through an 8-byte hash of
// them, not the 80-byte ID: 2 MB at 100k sockets rather than 12. Of rows
// with the same addresses it finds the last. A hit is checked against the
// row, so two addresses that hash alike (odds of 2^-64 a pair) can only
// make one of them unfound, never find a wrong row: what it was looked up
// for (a kernel transition, a reused TIME_WAIT pair) is then left to the
// next sample.
type addrIndex struct {
	seed maphash.Seed
	rows map[uint64]int32
}

// addrs is what addrIndex hashes.
type addrs struct {
	proto         sampler.Proto
	local, remote netip.AddrPort
}

func (a *addrIndex) reset() {
	if a.rows == nil {
		a.seed, a.rows = maphash.MakeSeed(), map[uint64]int32{}
	}
	clear(a.rows)
}

func (a *addrIndex) hash(id *sampler.ID) uint64 {
	return maphash.Comparable(a.seed, addrs{id.Proto, id.Local, id.Remote})
}

func (a *addrIndex) put(id *sampler.ID, i int32) { a.rows[a.hash(id)] = i }

// find looks up the row of socks (the slice the index was built from)
// with id's addresses; id's cookie is not looked at.
func (a *addrIndex) find(socks []sampler.Socket, id sampler.ID) (int32, bool) {
	i, ok := a.rows[a.hash(&id)]
	if !ok || addressesOf(socks[i].ID) != addressesOf(id) {
		return 0, false
	}
	return i, true
}
