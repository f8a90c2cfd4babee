package record

import (
	"context"
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Replay speeds: how many recorded seconds pass per wall-clock second.
const (
	MinSpeed = 0.25
	MaxSpeed = 16
)

const (
	// heartbeat is how often a playing Player sends a batch with no events,
	// so that "held for" clocks in the view keep moving through quiet spells.
	heartbeat = 250 * time.Millisecond
	// maxBatch bounds one batch so that a burst does not stall the view.
	maxBatch = 5000
)

// Player replays a Recording as a sampler.Feed, in recorded time scaled by a
// speed, with the snapshot rebuilt by sampler.Apply. It also offers the
// controls the view needs (pause, step, speed, restart). Safe for concurrent
// use: the view calls the controls while its feed goroutine waits in Next.
type Player struct {
	rec   *Recording
	notes []string
	wall  func() time.Time

	mu      sync.Mutex
	pos     int              // next event to play
	snap    sampler.Snapshot // the table after events[:pos]
	paused  bool
	speed   float64
	steps   int       // single steps asked for while paused
	vAnchor time.Time // recorded time at wAnchor
	wAnchor time.Time // wall time the anchor was set; zero before the first Next
	last    time.Time // wall time of the last batch sent
	ended   bool      // the end has been announced
	wake    chan struct{}
	netns   netnsPlay // the other namespaces' ranges played so far
}

// NewPlayer plays rec at speed (clamped to MinSpeed..MaxSpeed). notes are
// shown with every batch, e.g. what is being replayed.
func NewPlayer(rec *Recording, speed float64, notes ...string) *Player {
	p := &Player{rec: rec, notes: notes, wall: time.Now, speed: clampSpeed(speed), wake: make(chan struct{}, 1)}
	p.rewind()
	return p
}

// Header is the recording's header: its OS and ephemeral range.
func (p *Player) Header() Header { return p.rec.Header }

func clampSpeed(s float64) float64 {
	if !(s >= MinSpeed) { // also catches NaN
		return MinSpeed
	}
	if s > MaxSpeed {
		return MaxSpeed
	}
	return s
}

// rewind goes back to before the first event; p.mu is held or p is new.
func (p *Player) rewind() {
	p.pos, p.steps, p.ended = 0, 0, false
	p.netns = netnsPlay{}
	p.snap = sampler.Snapshot{}
	p.wAnchor = time.Time{}
	p.vAnchor = time.Time{}
	if p.rec.Len() > 0 {
		p.vAnchor = p.rec.Event(0).Time
	} else {
		p.vAnchor = p.rec.Header.Started
	}
	p.snap.Time = p.vAnchor
}

// virtual is the recorded time now; p.mu is held.
func (p *Player) virtual(now time.Time) time.Time {
	if p.paused || p.wAnchor.IsZero() {
		return p.vAnchor
	}
	v := p.vAnchor.Add(time.Duration(float64(now.Sub(p.wAnchor)) * p.speed))
	if n := p.rec.Len(); n > 0 && p.pos == n && v.After(p.rec.Event(n-1).Time) {
		return p.rec.Event(n - 1).Time // the clock stops at the last event
	}
	return v
}

// reanchor fixes the recorded time now so that a change of speed or a pause
// takes effect from here; p.mu is held.
func (p *Player) reanchor(now time.Time) {
	p.vAnchor = p.virtual(now)
	p.wAnchor = now
}

func (p *Player) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Now is the recorded time the replay has reached: the clock a replayed view
// shows and measures "held for" against.
func (p *Player) Now() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.virtual(p.wall())
}

// Next blocks until the next batch is due in recorded time, or ctx ends.
// After the last event it sends one batch noting the end, then waits (for a
// Restart or ctx).
func (p *Player) Next(ctx context.Context) (sampler.Batch, error) {
	for {
		p.mu.Lock()
		b, ok, wait := p.due(p.wall())
		p.mu.Unlock()
		if ok {
			return b, nil
		}
		var timer *time.Timer
		var tick <-chan time.Time
		if wait > 0 {
			timer = time.NewTimer(wait)
			tick = timer.C
		}
		select {
		case <-ctx.Done():
			return sampler.Batch{}, ctx.Err()
		case <-p.wake:
		case <-tick:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// due makes the batch that is due at wall time now, or says how long to wait
// (0: until woken). p.mu is held.
func (p *Player) due(now time.Time) (b sampler.Batch, ok bool, wait time.Duration) {
	if p.wAnchor.IsZero() {
		p.wAnchor = now // the clock starts when the view first asks
	}
	rec := p.rec
	n := rec.Len()
	switch {
	case p.pos == n:
		if p.ended {
			return b, false, 0
		}
		p.ended = true
		b = p.batch(nil, now)
		b.Notes = append(b.Notes, "replay finished")
		return b, true, 0
	case p.steps > 0:
		p.steps--
		e := []sampler.Event{rec.Event(p.pos)}
		p.vAnchor, p.wAnchor = e[0].Time, now
		return p.batch(e, now), true, 0
	case p.paused:
		return b, false, 0
	}
	v := p.virtual(now)
	end := p.pos
	for end < n && end-p.pos < maxBatch && !rec.Event(end).Time.After(v) {
		end++
	}
	if end > p.pos || now.Sub(p.last) >= heartbeat {
		return p.batch(rec.events.Slice(p.pos, end), now), true, 0
	}
	wait = time.Duration(float64(rec.Event(end).Time.Sub(v)) / p.speed)
	if rest := heartbeat - now.Sub(p.last); wait > rest {
		wait = rest
	}
	return b, false, max(wait, time.Millisecond)
}

// batch plays events onto the table and wraps the result; p.mu is held.
func (p *Player) batch(events []sampler.Event, now time.Time) sampler.Batch {
	if len(events) > 0 {
		p.snap = sampler.Apply(p.snap, events)
		p.pos += len(events)
	}
	p.snap.Time = p.virtual(now)
	p.last = now
	interval := p.rec.Header.Interval
	if interval <= 0 {
		interval = time.Second
	}
	eph, note := p.rec.rangeAt(p.snap.Time)
	notes := append([]string(nil), p.notes...)
	if note != "" {
		notes = append(notes, note)
	}
	return sampler.Batch{
		Snapshot:    p.snap,
		Events:      events, // the player's own copy (Slice)
		Interval:    interval,
		Samples:     1,
		Source:      "replay",
		Notes:       notes,
		Ephemeral:   eph,
		NetnsRanges: p.netns.at(p.rec.NetnsRanges, p.snap.Time),
	}
}

// SetPaused stops or restarts the recorded clock.
func (p *Player) SetPaused(paused bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if paused == p.paused {
		return
	}
	p.reanchor(p.wall())
	p.paused = paused
	if !paused {
		p.steps = 0
	}
	p.poke()
}

// Paused reports whether the replay is paused.
func (p *Player) Paused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

// Step plays exactly one more event; it pauses a playing replay first.
func (p *Player) Step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.paused {
		p.reanchor(p.wall())
		p.paused = true
	}
	if p.pos+p.steps < p.rec.Len() {
		p.steps++
	}
	p.poke()
}

// SetSpeed changes the speed, clamped to MinSpeed..MaxSpeed.
func (p *Player) SetSpeed(s float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reanchor(p.wall())
	p.speed = clampSpeed(s)
	p.poke()
}

// Speed is the current speed.
func (p *Player) Speed() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.speed
}

// Restart goes back to the start of the recording, keeping pause and speed.
func (p *Player) Restart() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rewind()
	p.last = time.Time{}
	p.poke()
}

// Progress is how many events have been played, of how many.
func (p *Player) Progress() (done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pos, p.rec.Len()
}
