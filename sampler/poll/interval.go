package poll

import "time"

// The adaptive interval's bounds and aim: 10 Hz while a sample costs at most
// 5% of a core, slower on big tables, never slower than every 2 s.
const (
	MinAdaptiveInterval = 100 * time.Millisecond
	MaxAdaptiveInterval = 2 * time.Second
	targetLoad          = 0.05
)

// adaptInterval returns the interval to use after a sample that cost cost
// while the interval was cur. It moves half-way towards the interval at
// which sampling would take targetLoad of a core, so one slow sample (a GC
// pause, a busy disk) bends the rate rather than breaking it.
func adaptInterval(cur, cost time.Duration) time.Duration {
	target := time.Duration(float64(cost) / targetLoad)
	target = min(max(target, MinAdaptiveInterval), MaxAdaptiveInterval)
	if cur <= 0 {
		return target
	}
	next := cur + (target-cur)/2
	return min(max(next, MinAdaptiveInterval), MaxAdaptiveInterval)
}

// In the background (the live view's machine-wide poller while a filtered
// view has a poller of its own, which takes the 5%), an adaptive poller
// samples at most once a second and aims at 2% of a core, down to once
// every 5 s on a huge table: its figures (header totals, rates per second,
// the port map) need no more.
const (
	BackgroundInterval    = time.Second
	MaxBackgroundInterval = 5 * time.Second
	backgroundLoad        = 0.02
)

// backgroundInterval is the interval a background poller uses after a
// sample that cost cost.
func backgroundInterval(cost time.Duration) time.Duration {
	return min(max(time.Duration(float64(cost)/backgroundLoad), BackgroundInterval), MaxBackgroundInterval)
}

// SetBackground puts an adaptive poller in the background (from its next
// sample on) or back; back in front, it samples at once and adapts afresh.
// A fixed Interval is honoured as given either way. Safe to call from any
// goroutine.
func (p *Poller) SetBackground(on bool) {
	if p.background.Swap(on) && !on {
		p.Poke()
	}
}
