package sampler

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
