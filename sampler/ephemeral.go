package sampler

import (
	"time"

	"github.com/porttop/porttop/sampler/ports"
)

// EphemeralRange is the OS ephemeral port range as a feed last read it
// (Batch.Ephemeral). It can change while porttop runs (an SRE widening
// net.ipv4.ip_local_port_range against exhaustion), and a view or stream
// open across the change must follow it.
type EphemeralRange struct {
	// Range is the range in force; the zero Range when the feed does not
	// read it, so the consumer keeps the one it has.
	Range ports.Range
	// Since is when the feed first read Range: events stamped from then on
	// are judged against it. A poller reads the range before every sample
	// and at least every EphemeralCheckEvery.
	Since time.Time
}

// NetnsRange is the ephemeral range of one network namespace other than
// porttop's own (each namespace has its own ip_local_port_range and runs
// out on its own).
type NetnsRange struct {
	Netns     uint64 // the namespace's inode (Place.Netns)
	NetnsName string // its `ip netns` name, "" when it has none
	Range     ports.Range
}

// RangeOf is the range a socket of namespace netns is judged against:
// its namespace's, when ranges lists it, else own (porttop's namespace's).
func RangeOf(ranges []NetnsRange, netns uint64, own ports.Range) ports.Range {
	if netns != 0 {
		for _, r := range ranges {
			if r.Netns == netns && r.Range.Known() {
				return r.Range
			}
		}
	}
	return own
}
