package header

import (
	"strconv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// Fullest is the network namespace whose own ephemeral range is the most
// used, among the others than porttop's that the source reads: each has
// its own ip_local_port_range and runs out on its own.
type Fullest struct {
	// Label is its `ip netns` name, else "net:[inode]".
	Label string
	Range ports.Range
	InUse int // distinct local ports of its range its sockets hold
}

// Percent is the share of its range in use, 0-100.
func (f Fullest) Percent() float64 {
	if !f.Range.Known() || f.Range.Size() == 0 {
		return 0
	}
	return 100 * float64(f.InUse) / float64(f.Range.Size())
}

// FullestNamespace finds, among the namespaces of ranges (a batch's
// NetnsRanges), the one using the largest share of its own range; ok is
// false when there are none or none uses any of its range.
func FullestNamespace(sockets []sampler.Socket, ranges []sampler.NetnsRange) (f Fullest, ok bool) {
	if len(ranges) == 0 {
		return Fullest{}, false
	}
	at := make(map[uint64]int, len(ranges))
	for i, r := range ranges {
		if r.Range.Known() {
			at[r.Netns] = i
		}
	}
	seen := make([]map[uint16]struct{}, len(ranges))
	for i := range sockets {
		s := &sockets[i]
		j, in := at[s.Netns]
		if !in || s.Netns == 0 {
			continue
		}
		p := s.Local.Port()
		if !ranges[j].Range.Contains(p) {
			continue
		}
		if seen[j] == nil {
			seen[j] = map[uint16]struct{}{}
		}
		seen[j][p] = struct{}{}
	}
	for j, r := range ranges {
		if len(seen[j]) == 0 {
			continue
		}
		c := Fullest{Label: r.NetnsName, Range: r.Range, InUse: len(seen[j])}
		if c.Label == "" {
			c.Label = "net:[" + strconv.FormatUint(r.Netns, 10) + "]"
		}
		if !ok || c.Percent() > f.Percent() {
			f, ok = c, true
		}
	}
	return f, ok
}
