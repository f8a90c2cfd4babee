package churn

import "github.com/porttop/porttop/sampler/ports"

// window is how many seconds of history the panel keeps.
const window = 300

// bucket is one second of history.
type bucket struct {
	handOuts, releases uint32 // events in this second
	// Gauges, as of the last snapshot in this second; a second without a
	// snapshot carries the previous second's values forward.
	timeWait  uint32
	ephemeral uint32
	// of is the ephemeral range ephemeral counted ports of: the range
	// changes (sysctl), and a share is of the range in force then.
	of ports.Range
}

// ring holds the last window seconds, indexed by unix second.
type ring struct {
	b    [window]bucket
	head int64 // the newest second
	n    int   // seconds held, up to window
}

func slot(sec int64) int { return int(((sec % window) + window) % window) }

// advance makes sec the newest second, clearing the event counts of the
// seconds skipped and carrying the gauges into them. A sec at or before the
// newest second changes nothing (a clock stepping back keeps the history).
func (r *ring) advance(sec int64) {
	if r.n == 0 {
		r.head, r.n = sec, 1
		r.b[slot(sec)] = bucket{}
		return
	}
	if sec <= r.head {
		return
	}
	last := r.b[slot(r.head)]
	gap := sec - r.head
	for s := sec - min(gap, window) + 1; s <= sec; s++ {
		r.b[slot(s)] = bucket{timeWait: last.timeWait, ephemeral: last.ephemeral, of: last.of}
	}
	r.head = sec
	r.n = int(min(int64(r.n)+gap, window))
}

// at is the bucket of second sec, nil when sec is not held.
func (r *ring) at(sec int64) *bucket {
	if r.n == 0 || sec > r.head || sec <= r.head-int64(r.n) {
		return nil
	}
	return &r.b[slot(sec)]
}

// series is the last k seconds (fewer if fewer are held) of one field,
// oldest first.
func (r *ring) series(k int, field func(*bucket) uint32) []uint32 {
	k = max(min(k, r.n), 0)
	out := make([]uint32, k)
	for i := range out {
		out[i] = field(&r.b[slot(r.head-int64(k-1-i))])
	}
	return out
}

// spread adds n events to the seconds after from up to and including to
// (the seconds one sample interval covered), as evenly as whole numbers
// allow, the remainder on the newest seconds. A sampler stamps every event
// with the sample's time, so without this a 5 s interval would draw one
// tall spike and four empty seconds instead of a rate. The spread stops at
// the oldest second held, so every event lands somewhere.
func (r *ring) spread(from, to int64, n uint32, field func(*bucket) *uint32) {
	if r.at(to) == nil {
		return
	}
	k := max(to-from, 1)
	k = min(k, to-(r.head-int64(r.n)))
	each, extra := n/uint32(k), n%uint32(k)
	for i := int64(0); i < k; i++ {
		b := r.at(to - i)
		if b == nil {
			continue
		}
		add := each
		if uint32(i) < extra {
			add++
		}
		*field(b) += add
	}
}
