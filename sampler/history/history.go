// Package history remembers what happened to each local port during this
// run of porttop, fed by the sampler's events, in bounded memory.
//
// Two layers:
//   - For all 65536 ports of tcp and udp, fixed arrays (about 6 MB, however
//     long porttop runs) keep exact counts and times: opens, sockets in use,
//     when last seen in use and by which process, when last free, total time
//     held. So "last seen in use 12:03:04 by curl" is answerable for any port.
//   - Per-use detail (the last few uses with pid, remote end and times) is
//     kept for at most maxDetailed ports, least recently active evicted
//     first. An evicted port's detail starts afresh if it is used again, and
//     PortHistory.DetailLost says so.
//
// HandedOut counts Opened events porttop saw happen, not the Existing ones
// of the first sample (those ports were handed out before porttop started).
// A connection accepted on a listener's port shares that port: the kernel
// hands none out for it, so it counts in Accepted instead, by the rule the
// header's hand-out rate follows (sampler.Listeners.HandsOutPort). InUse,
// LastSeen, LastFree and Recent cover every socket on the port, accepted
// ones too: they are uses of it. TotalHeld sums the hand-outs' holds only.
package history

import (
	"net/netip"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Use is one socket's use of a port.
type Use struct {
	Opened time.Time // first seen (zero when unknown)
	Closed time.Time // zero while still open
	Held   time.Duration
	// Process and PID are the owner, "" and 0 when unknown.
	Process string
	PID     int32
	Remote  netip.AddrPort
	State   sampler.State // latest state seen
	// Accepted: a connection accepted on the port's listener (Remote is the
	// client), not a hand-out of the port.
	Accepted bool
}

// PortHistory is what the tracker knows of one port.
type PortHistory struct {
	HandedOut int // opens seen happen this run (Existing ones excluded)
	Accepted  int // connections accepted on its listener this run: no hand-outs
	InUse     int // sockets on it now, per the events seen
	// LastSeen is the last time it was seen in use: its latest event, or,
	// while InUse > 0, the newest time the tracker heard of (any event, or
	// Advance). Zero: never this run.
	LastSeen time.Time
	// LastUse is the latest use. When the port's detail was evicted, only
	// Process and PID remain (from the fixed arrays).
	LastUse   Use
	LastFree  time.Time     // when its last socket went away (zero: not this run)
	Recent    []Use         // newest first, at most RecentUses
	TotalHeld time.Duration // summed over the closes of its hand-outs
	// DetailLost: detail was evicted at least once to bound memory, so
	// Recent and LastUse cover only what came after. Counts and times above
	// are exact regardless.
	DetailLost bool
}

// RecentUses is how many uses a detailed port remembers.
const RecentUses = 8
