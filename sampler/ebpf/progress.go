package ebpf

import (
	"sync"
	"time"
)

// progress lets goroutines wait, up to a deadline, for a condition
// another goroutine makes true (a count it moves on): the mover calls
// notify after each move, and a waiter wakes once per notify rather than
// polling. notify costs an uncontended lock while nobody waits.
type progress struct {
	mu sync.Mutex
	ch chan struct{} // closed by the next notify; nil while nobody waits
}

// notify wakes every waiter, to check its condition again.
func (p *progress) notify() {
	p.mu.Lock()
	if p.ch != nil {
		close(p.ch)
		p.ch = nil
	}
	p.mu.Unlock()
}

// next is a channel closed by the next notify.
func (p *progress) next() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ch == nil {
		p.ch = make(chan struct{})
	}
	return p.ch
}

// await waits until done reports true, at most max, and reports whether
// it did. done is checked after each notify (and first at once).
func (p *progress) await(done func() bool, max time.Duration) bool {
	var deadline <-chan time.Time
	for {
		wake := p.next() // before the check: a notify after it is not missed
		if done() {
			return true
		}
		if deadline == nil {
			t := time.NewTimer(max)
			defer t.Stop()
			deadline = t.C
		}
		select {
		case <-wake:
		case <-deadline:
			return done()
		}
	}
}
