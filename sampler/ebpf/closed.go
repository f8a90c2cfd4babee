package ebpf

import (
	"sync"

	"github.com/porttop/porttop/sampler"
)

// closedSet remembers, by cookie, the TCP sockets the transitions show
// closed for good: to CLOSE from a state that hands no timewait socket on
// (not FIN_WAIT1, FIN_WAIT2 or CLOSING). netlink's release report of such
// a socket needs no TIME_WAIT lookup (sockdiag's SetClosedForGood): at
// 1,000 connections a second that is half the lookups, the side that
// closes last. A socket that leaves CLOSE again (a connect after a failed
// one) is forgotten. Bounded: past maxClosed it starts afresh (a
// forgotten socket is only looked up). It notes nothing until use: with
// the kernel's own releases no netlink report asks, and the set was a
// map write (and up to 64Ki entries) for every second TCP close. Safe
// for concurrent use (use before the transitions come).
type closedSet struct {
	mu      sync.Mutex
	on      bool
	cookies map[uint64]struct{}
}

// use makes the set note closes, and returns its take for the inner
// source's release watcher.
func (c *closedSet) use() func(cookie uint64) bool {
	c.on = true
	return c.take
}

// maxClosed bounds the set: entries whose release came before the reader
// read their transition are never taken.
const maxClosed = 1 << 16

// note takes a transition in.
func (c *closedSet) note(tr *sampler.Transition) {
	if !c.on || tr.Cookie == 0 {
		return
	}
	switch {
	case tr.From == sampler.StateClose:
		c.mu.Lock()
		delete(c.cookies, tr.Cookie)
		c.mu.Unlock()
	case tr.To == sampler.StateClose && !handsOver(tr.From):
		c.mu.Lock()
		if c.cookies == nil || len(c.cookies) >= maxClosed {
			c.cookies = map[uint64]struct{}{}
		}
		c.cookies[tr.Cookie] = struct{}{}
		c.mu.Unlock()
	}
}

// take reports whether the socket with this cookie closed for good, and
// forgets it: its release is reported once.
func (c *closedSet) take(cookie uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.cookies[cookie]
	delete(c.cookies, cookie)
	return ok
}

// handsOver reports whether a socket going to CLOSE from st may have been
// handed over to a timewait socket, which keeps its port.
func handsOver(st sampler.State) bool {
	return st == sampler.StateFinWait1 || st == sampler.StateFinWait2 || st == sampler.StateClosing
}
