package poll

import "time"

// MaxQuietGap is the longest the poller trusts a sampler.QuietSource
// before it samples anyway, catching what the counters do not show (a bound UDP
// socket connecting, which changes its ID without moving any count).
const MaxQuietGap = time.Second

// skipQuiet reports whether this tick's sample may be skipped.
func (p *Poller) skipQuiet() bool {
	q := p.caps.quiet
	if q == nil || !p.lastOK || p.now().Sub(p.lastSampled) >= MaxQuietGap {
		return false
	}
	p.queryMu.Lock()
	changed := p.queryChanged
	p.queryMu.Unlock()
	return !changed && q.Quiet()
}
