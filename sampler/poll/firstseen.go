package poll

import (
	"slices"

	"github.com/porttop/porttop/sampler"
)

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

// deferExisting reports whether this sample is the first and its opens are
// left to be made from its table (Config.ExistingInParts), and records it:
// only when nothing came before it (no release left a row to diff against:
// then the diff's events are opens alone, one for each socket).
func (r *Reconciler) deferExisting(check bool) bool {
	r.existingDeferred = r.existingLater && !r.sampled && !check && len(r.base.Sockets) == 0 && r.adjust.len() == 0
	return r.existingDeferred
}

// stampExisting does to next what the first diff and its opens would have:
// every socket first seen now (or when FirstSeen says), the rows of sockets
// released since dropped (a dump that raced their release: see
// dropReopened), handshakes in progress tracked.
func (r *Reconciler) stampExisting(next *sampler.Snapshot) {
	now := sampler.StampOf(next.Time)
	for i := range next.Sockets {
		next.Sockets[i].Since = now
	}
	if r.recent.len() > 0 {
		next.Sockets = slices.DeleteFunc(next.Sockets, func(s sampler.Socket) bool { return r.recent.released(releaseKey(s.ID)) })
	}
	for i := range next.Sockets {
		r.audit.opened(&next.Sockets[i])
	}
	r.carryFirstSeen(nil, next)
}
