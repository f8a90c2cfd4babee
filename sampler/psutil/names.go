package psutil

import (
	"context"

	"github.com/shirou/gopsutil/v3/process"
)

// nameCache remembers process names by pid so that a sample looks up only
// pids it has not seen. A pid absent from a sample is forgotten, so the cache
// stays as small as the table and a reused pid is looked up afresh.
type nameCache struct {
	lookup func(ctx context.Context, pid int32) string
	names  map[int32]string
	seen   map[int32]bool
}

func newNameCache(lookup func(ctx context.Context, pid int32) string) *nameCache {
	return &nameCache{lookup: lookup, names: map[int32]string{}, seen: map[int32]bool{}}
}

// begin starts a sample.
func (c *nameCache) begin() { clear(c.seen) }

// name returns pid's name, looking it up only the first time.
func (c *nameCache) name(ctx context.Context, pid int32) string {
	c.seen[pid] = true
	n, ok := c.names[pid]
	if !ok {
		n = c.lookup(ctx, pid)
		c.names[pid] = n
	}
	return n
}

// end forgets the pids the sample did not use.
func (c *nameCache) end() {
	for pid := range c.names {
		if !c.seen[pid] {
			delete(c.names, pid)
		}
	}
}

// processName asks the OS; "" when the process is gone or hidden.
func processName(ctx context.Context, pid int32) string {
	n, err := (&process.Process{Pid: pid}).NameWithContext(ctx)
	if err != nil {
		return ""
	}
	return n
}
