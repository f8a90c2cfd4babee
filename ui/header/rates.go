package header

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// RateWindow is how far back the hand-out and release rates look.
const RateWindow = 10 * time.Second

// Rates measures local ports handed out and released per second over the
// last RateWindow, from the events' own times. Accepted connections share
// their listener's port, so they are not counted (see sampler.Listeners). It holds one bucket per second of
// the window, so it stays the same size however long it runs.
type Rates struct {
	buckets [int(RateWindow / time.Second)]bucket
	first   time.Time // first event time seen: the window is shorter at the start
}

type bucket struct {
	sec            int64
	opened, closed int
}

// Observe counts a batch's events. The first sample's existing sockets were
// not handed out under porttop's eyes, so they are not counted; nor are the
// opens and closes of accepted connections, which hand out and release no
// port: listeners holds the batch snapshot's listeners (nil: none known).
func (r *Rates) Observe(events []sampler.Event, listeners *sampler.Listeners) {
	for i := range events {
		e := &events[i]
		if e.Existing || (e.Kind != sampler.Opened && e.Kind != sampler.Closed) || !listeners.HandsOutPort(e) {
			continue
		}
		if r.first.IsZero() || e.Time.Before(r.first) {
			r.first = e.Time
		}
		sec := e.Time.Unix()
		b := &r.buckets[int(sec%int64(len(r.buckets)))]
		if b.sec != sec {
			*b = bucket{sec: sec}
		}
		if e.Kind == sampler.Opened {
			b.opened++
		} else {
			b.closed++
		}
	}
}

// Start marks when measuring began, so the first seconds are not divided
// by the whole window.
func (r *Rates) Start(at time.Time) {
	if r.first.IsZero() || at.Before(r.first) {
		r.first = at
	}
}

// PerSecond is the hand-out and release rate over the window ending at now.
func (r *Rates) PerSecond(now time.Time) (opened, closed float64) {
	nowSec := now.Unix()
	oldest := nowSec - int64(len(r.buckets)) + 1
	var o, c int
	for _, b := range r.buckets {
		if b.sec >= oldest && b.sec <= nowSec {
			o += b.opened
			c += b.closed
		}
	}
	// The window counts whole seconds, from the first second measured
	// through the current one.
	secs := int64(len(r.buckets))
	if !r.first.IsZero() {
		secs = max(min(secs, nowSec-r.first.Unix()+1), 1)
	}
	return float64(o) / float64(secs), float64(c) / float64(secs)
}
