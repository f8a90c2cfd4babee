package record

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/porttop/porttop/sampler"
)

// Stall thresholds for a followed stream. A stream with stats lines
// (`porttop watch --stats D`) promises a line every D, so missing three of
// them (and at least StallAfter) is a stall. Without stats lines silence may
// be a quiet machine: it is only reported, as quiet, after QuietAfter.
const (
	StallAfter = 3 * time.Second
	QuietAfter = 30 * time.Second
)

// follower is the synchronous state of following a stream as it arrives
// (Follow's feed drives it): items are played onto a table, batches made on
// demand, and the stream's health said in notes. All times are wall times
// of this machine, passed in.
type follower struct {
	hdr     Header
	name    string // what the notes call the stream: "stream from web1"
	snap    sampler.Snapshot
	pending []sampler.Event

	ephemeral  RangeChange
	netns      netnsPlay // other namespaces' ranges, as their lines arrive
	stats      *Stats
	firstStats *Stats

	started     time.Time // when following began
	lastLine    time.Time // when the last item arrived (zero: none yet)
	lastStats   time.Time // when the last stats line arrived
	statsEvery  time.Duration
	streamClock time.Time // the newest stream time seen, at lastLine

	ended   bool
	endErr  error
	endedAt time.Time
}

func newFollower(hdr Header, now time.Time) *follower {
	name := "stream"
	if hdr.Host != "" {
		name = "stream from " + graphic(hdr.Host)
	}
	f := &follower{hdr: hdr, name: name, started: now, ephemeral: RangeChange{Range: hdr.Ephemeral}}
	f.streamClock = hdr.Started
	f.snap.Time = hdr.Started
	return f
}

// add takes one item that arrived at now.
func (f *follower) add(it Item, now time.Time) {
	f.lastLine = now
	switch {
	case it.Event != nil:
		f.pending = append(f.pending, *it.Event)
		f.advance(it.Event.Time)
	case it.Stats != nil:
		if f.firstStats == nil {
			f.firstStats = it.Stats
		}
		if !f.lastStats.IsZero() {
			f.statsEvery = now.Sub(f.lastStats)
		}
		f.stats, f.lastStats = it.Stats, now
		f.advance(it.Stats.Time)
	case it.Range != nil:
		f.ephemeral = *it.Range
		f.advance(it.Range.Time)
	case it.Netns != nil:
		f.netns.add(*it.Netns)
		f.advance(it.Netns.Time)
	}
}

func (f *follower) advance(t time.Time) {
	if t.After(f.streamClock) {
		f.streamClock = t
	}
}

// end marks the stream over at now: err nil for its end (EOF), else why it
// broke.
func (f *follower) end(err error, now time.Time) {
	if !f.ended {
		f.ended, f.endErr, f.endedAt = true, err, now
	}
}

// clock is the stream's time now: its newest time, run on by this
// machine's clock since it arrived (the two machines' clocks need not
// agree); it stops when the stream ends.
func (f *follower) clock(now time.Time) time.Time {
	if f.streamClock.IsZero() {
		return now
	}
	since := f.lastLine
	if since.IsZero() {
		since = f.started
	}
	if f.ended {
		now = f.endedAt
	}
	return f.streamClock.Add(max(now.Sub(since), 0))
}

// health is the note on the stream's state now, "" while it flows.
func (f *follower) health(now time.Time) string {
	last := f.lastLine
	if last.IsZero() {
		last = f.started
	}
	switch {
	case f.ended && f.endErr != nil:
		return fmt.Sprintf("%s broke at %s: %v", f.name, f.endedAt.Format("15:04:05"), f.endErr)
	case f.ended:
		return fmt.Sprintf("%s ended at %s", f.name, f.endedAt.Format("15:04:05"))
	}
	silent := now.Sub(last).Truncate(time.Second)
	if f.stats != nil {
		if limit := max(3*f.statsEvery, StallAfter); silent >= limit {
			return fmt.Sprintf("%s stalled: nothing for %v", f.name, silent)
		}
		return ""
	}
	if silent >= QuietAfter {
		return fmt.Sprintf("%s silent for %v (quiet, or stalled: watch --stats 1s tells)", f.name, silent)
	}
	return ""
}

// batch plays the pending events onto the table and wraps it, with the
// stream's figures and notes, at now.
func (f *follower) batch(now time.Time, notes []string) sampler.Batch {
	events := f.pending
	if len(events) > 0 {
		f.snap = sampler.Apply(f.snap, events)
		f.pending = nil
	}
	f.snap.Time = f.clock(now)
	interval := f.hdr.Interval
	if interval <= 0 {
		interval = time.Second
	}
	b := sampler.Batch{
		Snapshot:  f.snap,
		Events:    events,
		Interval:  interval,
		Samples:   1,
		Source:    "stream",
		Notes:     append([]string(nil), notes...),
		Ephemeral: sampler.EphemeralRange{Range: f.ephemeral.Range, Since: f.ephemeral.Time},
	}
	// Every namespace line that arrived is in force: the stream's clock is
	// at or past it.
	b.NetnsRanges = f.netns.ranges()
	if f.hdr.Source != "" {
		b.Source = "stream of " + f.hdr.Source
	}
	if h := f.health(now); h != "" {
		b.Notes = append(b.Notes, h)
	}
	if st := f.stats; st != nil {
		b.Dropped = st.Dropped
		if st.Kernel != nil {
			// Counted from the first stats line the view saw, like the
			// kernel's (the view counts from its first batch's counters).
			b.Kernel = &sampler.KernelCounters{ActiveOpens: st.Kernel.Active, PassiveOpens: st.Kernel.Passive}
			if first := f.firstStats; st.ReportedTCP >= first.ReportedTCP {
				b.ReportedTCPAtKernel = st.ReportedTCP - first.ReportedTCP
			}
			b.ReportedTCP = b.ReportedTCPAtKernel
		}
	}
	return b
}

// graphic escapes what is not printable in s (a host name from another
// machine) so that it cannot drive the terminal it is shown on.
func graphic(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsGraphic(r) }) < 0 {
		return s
	}
	q := strconv.QuoteToGraphic(s)
	return q[1 : len(q)-1]
}
