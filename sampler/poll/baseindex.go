package poll

import (
	"hash/maphash"
	"net/netip"

	"github.com/porttop/porttop/sampler"
)

// baseIndex finds the poller's base sockets by release key: by cookie (an
// 8-byte hash) when a socket has one, by the whole 80-byte ID otherwise
// (byID: a source without cookies, /proc's; empty under netlink and ebpf).
// Releases need it at most once per sample, for the whole table. Its
// tables are compact (rowTable) and reused from one build to the next.
type baseIndex struct {
	byCookie rowTable
	byID     map[sampler.ID]int32 // made on the first row without a cookie
	// timeWait finds the TIME_WAIT sockets by their addresses alone (an ID
	// without cookie): a new connection may take over one's addresses.
	timeWait addrIndex
	// live finds the other TCP sockets by their addresses alone: kernel
	// transitions name a socket by its addresses (no cookie).
	live  addrIndex
	dups  bool // some release key is on two rows
	built bool
	// lent: byCookie is read by a filtered check's goroutine (see lend);
	// a build meanwhile makes new slices rather than clear it.
	lent bool
}

func (x *baseIndex) build(socks []sampler.Socket) {
	var tw, tcp, cookies int
	for i := range socks {
		switch id := &socks[i].ID; {
		case socks[i].State == sampler.StateTimeWait:
			tw++
		case id.Proto == sampler.TCP:
			tcp++
		}
		if socks[i].Cookie != 0 {
			cookies++
		}
	}
	x.byCookie.reset(cookies, x.lent)
	x.lent = false
	x.live.resetFor(tcp)
	x.timeWait.resetFor(tw)
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
			dup = x.byCookie.put(id.Cookie, int32(i))
		} else {
			if x.byID == nil {
				x.byID = map[sampler.ID]int32{}
			}
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
		i, ok := x.byCookie.get(key.Cookie)
		return i, ok && socks[i].Proto == key.Proto
	}
	i, ok := x.byID[key]
	return i, ok
}

// RowOf is the row with cookie (sampler.CookieRows): the index lent to
// a check's diff (see Reconciler.diffBase).
func (x *baseIndex) RowOf(cookie uint64) (int32, bool) { return x.byCookie.get(cookie) }

// lend lends byCookie, built, to a filtered check's goroutine (see
// checkFilter), which reads it while the dump runs: until the loan ends
// (lent false), a build leaves its slices alone.
func (x *baseIndex) lend() rowTable {
	x.lent = true
	return x.byCookie
}

// lendable reports whether the index can be lent to a diff of the table
// it was built from (sampler.CookieRows): built, every row with a cookie,
// no cookie on two rows.
func (x *baseIndex) lendable() bool { return x.built && !x.dups && len(x.byID) == 0 }

// addrIndex finds rows by their addresses alone (protocol, local and
// remote address: an ID without its cookie) through an 8-byte hash of
// them, not the 80-byte ID (a rowTable: 1.5 MB at 100k sockets rather
// than 12). Of rows with the same addresses it finds the last. A hit is
// checked against the row, so two addresses that hash alike (odds of
// 2^-64 a pair) can only make one of them unfound, never find a wrong
// row: what it was looked up for (a kernel transition, a reused TIME_WAIT
// pair) is then left to the next sample.
type addrIndex struct {
	seed   maphash.Seed
	seeded bool
	rows   rowTable
}

// addrs is what addrIndex hashes.
type addrs struct {
	proto         sampler.Proto
	local, remote netip.AddrPort
}

// reset empties a, keeping its room.
func (a *addrIndex) reset() { a.resetFor(0) }

// resetFor empties a to hold about n rows.
func (a *addrIndex) resetFor(n int) {
	if !a.seeded {
		a.seed, a.seeded = maphash.MakeSeed(), true
	}
	a.rows.reset(n, false)
}

// hash is id's addresses' key in rows, never 0 (an empty slot).
func (a *addrIndex) hash(id *sampler.ID) uint64 {
	return max(maphash.Comparable(a.seed, addrs{id.Proto, id.Local, id.Remote}), 1)
}

func (a *addrIndex) put(id *sampler.ID, i int32) { a.rows.put(a.hash(id), i) }

// rowOf is the row put with id's addresses' hash, unchecked.
func (a *addrIndex) rowOf(id *sampler.ID) (int32, bool) { return a.rows.get(a.hash(id)) }

// remove drops id's addresses' hash.
func (a *addrIndex) remove(id *sampler.ID) { a.rows.remove(a.hash(id)) }

// find looks up the row of socks (the slice the index was built from)
// with id's addresses; id's cookie is not looked at.
func (a *addrIndex) find(socks []sampler.Socket, id sampler.ID) (int32, bool) {
	i, ok := a.rowOf(&id)
	if !ok || addressesOf(socks[i].ID) != addressesOf(id) {
		return 0, false
	}
	return i, true
}
