package netns

import "github.com/porttop/porttop/sampler"

// counterSum merges the kernel's open counters of every namespace read into
// one total that behaves as a single machine's would: it only grows, by
// what each namespace opened between two of its readings. A namespace seen
// for the first time (or again after a gap, or whose counters went back: a
// namespace made anew under a reused pid) adds nothing at once: its
// reading is its baseline, as its sockets are then in a sample as
// existing. A namespace without counters (no process to read them
// through) is left out: porttop then reports more opens than the total
// counts, never fewer.
type counterSum struct {
	last  map[uint64]sampler.KernelCounters
	total sampler.KernelCounters
	begun bool
}

// update takes one reading per namespace (by inode) and gives the total.
// The first update's total is the sum of its readings; namespaces absent
// from a reading are forgotten.
func (c *counterSum) update(readings map[uint64]sampler.KernelCounters) sampler.KernelCounters {
	if c.last == nil {
		c.last = map[uint64]sampler.KernelCounters{}
	}
	for ino, r := range readings {
		prev, ok := c.last[ino]
		switch {
		case !c.begun:
			c.total.ActiveOpens += r.ActiveOpens
			c.total.PassiveOpens += r.PassiveOpens
		case ok && r.ActiveOpens >= prev.ActiveOpens && r.PassiveOpens >= prev.PassiveOpens:
			c.total.ActiveOpens += r.ActiveOpens - prev.ActiveOpens
			c.total.PassiveOpens += r.PassiveOpens - prev.PassiveOpens
		}
		c.last[ino] = r
	}
	for ino := range c.last {
		if _, ok := readings[ino]; !ok {
			delete(c.last, ino)
		}
	}
	c.begun = true
	return c.total
}
