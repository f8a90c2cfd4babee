package main

import (
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/sampler/poll"
)

// liveWide is cfg for the live view's machine-wide poller: the first
// sample's opens (one per socket: 24 MB at 100k sockets) are handed out a
// part at a time, as watch's are (live.Merger and the view take them in
// parts), never held all at once.
func liveWide(cfg poll.Config) poll.Config {
	cfg.ExistingInParts = poll.ExistingPart
	return cfg
}

// newFocusPoller is the live feed's focused poller (live.Config.NewPoller):
// a poller over src whose first sample keeps the first-seen times the view
// knew of the sockets q covers.
func newFocusPoller(src sampler.Source, interval time.Duration, q sampler.Query, known live.Known) live.Poller {
	return poll.New(poll.Config{Source: src, Interval: interval, FirstSeen: firstSeenOf(known, q)})
}

// firstSeenOf is what known says of the sockets q covers: the machine-wide
// snapshot's first-seen times and, where earlier, the replaced focus's.
func firstSeenOf(known live.Known, q sampler.Query) sampler.FirstSeen {
	seen := sampler.FirstSeenOf(known.Wide, q)
	seen.Add(known.Focus, q)
	return seen
}
