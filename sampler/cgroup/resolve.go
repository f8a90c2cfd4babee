package cgroup

import "time"

// Resolver limits, shared by every OS's implementation.
const (
	// MaxCached bounds the id -> path cache; past it a quarter is dropped.
	MaxCached = 8192
	// missRetry is how long an id that was not found stays not found
	// before it is looked for again (a cgroup made since).
	missRetry = 5 * time.Second
	// walkEvery is the shortest time between two walks of the hierarchy,
	// the fallback where ids cannot be opened by handle.
	walkEvery = 2 * time.Second
)

// cache is a bounded id -> path map with a bounded negative part; not safe
// for concurrent use (the Resolver locks around it).
type cache struct {
	path map[uint64]string
	miss map[uint64]time.Time // id -> when it was not found
}

func newCache() cache {
	return cache{path: map[uint64]string{}, miss: map[uint64]time.Time{}}
}

// get reports a cached path; missed is true while id is known absent.
func (c *cache) get(id uint64, now time.Time) (path string, ok, missed bool) {
	if p, ok := c.path[id]; ok {
		return p, true, false
	}
	if at, ok := c.miss[id]; ok {
		if now.Sub(at) < missRetry {
			return "", false, true
		}
		delete(c.miss, id)
	}
	return "", false, false
}

func (c *cache) put(id uint64, path string) {
	delete(c.miss, id)
	if len(c.path) >= MaxCached {
		shrink(c.path)
	}
	c.path[id] = path
}

func (c *cache) missed(id uint64, now time.Time) {
	if len(c.miss) >= MaxCached {
		shrink(c.miss)
	}
	c.miss[id] = now
}

// shrink drops about a quarter of m's entries, in Go's random map order.
func shrink[V any](m map[uint64]V) {
	n := len(m) / 4
	for k := range m {
		if n <= 0 {
			return
		}
		delete(m, k)
		n--
	}
}
