package record

import (
	"cmp"
	"slices"
	"time"

	"github.com/porttop/porttop/sampler"
)

// netnsPlay is the other network namespaces' ranges a replay (or a
// followed stream) has reached, as a live feed gives them
// (sampler.Batch.NetnsRanges): each namespace's last range line, sorted by
// inode. A replay's recorded clock only moves forward between rewinds
// (which reset it), so lines are taken in once each.
type netnsPlay struct {
	next  int                    // lines of the recording taken in so far (at)
	cur   map[uint64]RangeChange // the last line of each namespace
	out   []sampler.NetnsRange   // cur as a batch gives it
	dirty bool                   // cur changed since out was built
}

// add takes in one namespace's range line.
func (n *netnsPlay) add(c RangeChange) {
	if n.cur == nil {
		n.cur = map[uint64]RangeChange{}
	}
	if old, ok := n.cur[c.Netns]; ok && old.Range == c.Range && old.NetnsName == c.NetnsName {
		return
	}
	n.cur[c.Netns] = c
	n.dirty = true
}

// ranges is the ranges taken in so far, sorted by inode. The slice is
// shared by the batches that follow until a range changes: read it, never
// write to it.
func (n *netnsPlay) ranges() []sampler.NetnsRange {
	if n.dirty {
		out := make([]sampler.NetnsRange, 0, len(n.cur))
		for ino, c := range n.cur {
			out = append(out, sampler.NetnsRange{Netns: ino, NetnsName: c.NetnsName, Range: c.Range})
		}
		slices.SortFunc(out, func(a, b sampler.NetnsRange) int { return cmp.Compare(a.Netns, b.Netns) })
		n.out, n.dirty = out, false
	}
	return n.out
}

// at is the ranges in force at recorded time t, from lines (a recording's
// NetnsRanges, in time order): each namespace's last line at or before t.
func (n *netnsPlay) at(lines []RangeChange, t time.Time) []sampler.NetnsRange {
	for ; n.next < len(lines) && !lines[n.next].Time.After(t); n.next++ {
		n.add(lines[n.next])
	}
	return n.ranges()
}
