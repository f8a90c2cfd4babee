package header

import (
	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// Counts is the machine-wide tally of one snapshot, by the local port's
// range. It is taken before any filter: the header always speaks for the
// whole machine.
type Counts struct {
	Sockets    int
	WellKnown  int
	Registered int
	Dynamic    int
	// InEphemeral counts sockets whose local port is in the OS ephemeral range.
	InEphemeral int
	// EphemeralPortsInUse is how many distinct local port numbers inside the
	// ephemeral range are taken (by any protocol): what exhaustion is about.
	EphemeralPortsInUse int
	EphemeralSize       int
}

// EphemeralPercent is the share of the ephemeral range in use, 0-100.
func (c Counts) EphemeralPercent() float64 {
	if c.EphemeralSize == 0 {
		return 0
	}
	return 100 * float64(c.EphemeralPortsInUse) / float64(c.EphemeralSize)
}

// Tally counts a snapshot's sockets. An unknown ephemeral range counts
// nothing in it and has no size.
func Tally(sockets []sampler.Socket, ephemeral ports.Range) Counts {
	return TallyNetns(sockets, ephemeral, nil)
}

// TallyNetns is Tally where the sockets of the namespaces of others (a
// batch's NetnsRanges: other namespaces, each with its own range) are
// judged against their own namespace's range: they take no port of
// porttop's, so EphemeralPortsInUse leaves them out.
func TallyNetns(sockets []sampler.Socket, ephemeral ports.Range, others []sampler.NetnsRange) Counts {
	known := ephemeral.Known()
	c := Counts{Sockets: len(sockets)}
	if known {
		c.EphemeralSize = ephemeral.Size()
	}
	var seen [65536 / 64]uint64 // one bit per port: 8 KiB, no allocation
	for i := range sockets {
		p := sockets[i].Local.Port()
		switch ports.ClassOf(p) {
		case ports.WellKnown:
			c.WellKnown++
		case ports.Registered:
			c.Registered++
		default:
			c.Dynamic++
		}
		if n := sockets[i].Netns; n != 0 && len(others) > 0 && isOther(others, n) {
			if r := sampler.RangeOf(others, n, ephemeral); r.Known() && r.Contains(p) {
				c.InEphemeral++ // in its own namespace's range, not porttop's
			}
			continue
		}
		if known && ephemeral.Contains(p) {
			c.InEphemeral++
			if seen[p/64]&(1<<(p%64)) == 0 {
				seen[p/64] |= 1 << (p % 64)
				c.EphemeralPortsInUse++
			}
		}
	}
	return c
}

func isOther(others []sampler.NetnsRange, netns uint64) bool {
	for _, r := range others {
		if r.Netns == netns {
			return true
		}
	}
	return false
}
