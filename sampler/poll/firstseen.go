package poll

import "github.com/porttop/porttop/sampler"

// carryFirstSeen stamps the sockets of the first sample, and the Existing
// events that report them, with the times (and owners, where the sample
// has none) the config's FirstSeen knows.
// A time after the sample's own is ignored: first seen cannot be later
// than seen now. The map is let go afterwards; later samples carry Since
// over from one to the next.
func (r *Reconciler) carryFirstSeen(events []sampler.Event, next *sampler.Snapshot) {
	seen := r.firstSeen
	r.firstSeen = sampler.FirstSeen{}
	if seen.Len() == 0 {
		return
	}
	for i := range next.Sockets {
		seen.Carry(&next.Sockets[i])
	}
	for i := range events {
		if events[i].Kind == sampler.Opened {
			seen.Carry(&events[i].Socket)
		}
	}
}
