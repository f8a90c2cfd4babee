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
