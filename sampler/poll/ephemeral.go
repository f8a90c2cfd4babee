package poll

import (
	"fmt"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// EphemeralCheckEvery is how often a running poller reads the range again
// when no sample comes sooner (a slow interval, quiet ticks skipped): one
// small /proc file on Linux.
const EphemeralCheckEvery = time.Second

// ephemeralNoteFor is how long batches carry the note saying the range
// changed, for the header.
const ephemeralNoteFor = time.Minute

// ephemeralWatch follows the range for the poller; owned by Run's goroutine.
type ephemeralWatch struct {
	read    func() (ports.Range, error) // nil: the range is not followed
	cur     sampler.EphemeralRange
	note    string // "ephemeral range changed at ...", until noteEnd
	noteEnd time.Time
}

// check reads the range at now and reports whether it changed. A failed
// read keeps the range already known: a passing error is no reason to
// judge ports against a default.
func (w *ephemeralWatch) check(now time.Time) bool {
	if w.read == nil {
		return false
	}
	r, err := w.read()
	if err != nil || !r.Known() || r == w.cur.Range {
		return false
	}
	if w.cur.Range.Known() {
		w.note = fmt.Sprintf("ephemeral range changed at %s: %s -> %s", now.Local().Format("15:04:05"), w.cur.Range, r)
		w.noteEnd = now.Add(ephemeralNoteFor)
	}
	w.cur = sampler.EphemeralRange{Range: r, Since: now}
	return true
}

// noteAt is the change note while it is fresh, else "".
func (w *ephemeralWatch) noteAt(now time.Time) string {
	if w.note == "" || !now.Before(w.noteEnd) {
		return ""
	}
	return w.note
}

// followEphemeral reads the range once, before the first sample, and
// returns the ticker channel that has it read again between samples (nil,
// and a no-op stop, without Config.Ephemeral). sample reads it too.
func (p *Poller) followEphemeral() (tick <-chan time.Time, stop func()) {
	p.ephemeral.read = p.cfg.Ephemeral
	if p.ephemeral.read == nil {
		return nil, func() {}
	}
	p.ephemeral.check(p.now())
	t := time.NewTicker(EphemeralCheckEvery)
	return t.C, t.Stop
}

// checkEphemeral reads the range again and, when it changed, publishes a
// batch at once rather than at the next sample, which may be seconds away.
func (p *Poller) checkEphemeral() {
	if p.ephemeral.check(p.now()) {
		p.pending.add(p.update(update{}))
	}
}
