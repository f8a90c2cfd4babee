package poll

import "time"

// MaxQuietGap, and never when poked or when the query changed. Events stay
// exact: a new socket moves the counters, so it still shows up within one
// interval; closes come from the release watcher as before.
type QuietSource interface {
	Quiet() bool
}

// MaxQuietGap is the longest the poller trusts a QuietSource before it
// samples anyway, catching what the counters do not show (a bound UDP
// socket connecting, which changes its ID without moving any count).
const MaxQuietGap = time.Second

// skipQuiet reports whether this tick's sample may be skipped.
func (p *Poller) skipQuiet() bool {
	q, ok := p.cfg.Source.(QuietSource)
	if !ok || !p.lastOK || p.now().Sub(p.lastSampled) >= MaxQuietGap {
		return false
	}
	p.queryMu.Lock()
	changed := p.queryChanged
	p.queryMu.Unlock()
	return !changed && q.Quiet()
}
