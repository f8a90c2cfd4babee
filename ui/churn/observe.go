package churn

import (
	"fmt"
	"math/bits"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/internal/words"
)

// jumpBack is how far now may step back (clock adjustments) before the
// history is dropped as belonging to another timeline.
const jumpBack = 5

// Observe takes a new snapshot and the events since the last one, finding
// the snapshot's listeners itself; see ObserveWithListeners.
func (m Model) Observe(snap sampler.Snapshot, events []sampler.Event, now time.Time) Model {
	if m.s == nil {
		m.s = newState()
	}
	m.s.listeners.Reset(snap.Sockets)
	return m.ObserveWithListeners(snap, events, now, &m.s.listeners)
}

// ObserveWithListeners takes a new snapshot and the events since the last
// one, with listeners already Reset from snap (so a caller feeding several
// panels finds them once per batch): hand-outs (Opened, not Existing) and
// releases (Closed) of local ports are counted per second, leaving out
// accepted connections, which share their listener's port,
// TIME_WAIT sockets and ephemeral ports in use are recorded for the second of
// now, and destinations are recounted (from sockets holding a local port of
// their own: accepted connections are left out there too). Events stamped in now's second (or
// later) are taken as this sample's and spread evenly over the seconds since
// the previous Observe, so a slow sampling interval still draws a rate;
// earlier events count in their own second, or not at all once older than
// the history.
func (m Model) ObserveWithListeners(snap sampler.Snapshot, events []sampler.Event, now time.Time, listeners *sampler.Listeners) Model {
	return m.ObserveDigest(snap, events, now, listeners, nil)
}

// ObserveDigest is ObserveWithListeners with what the panel takes of the
// snapshot already digested (Digest, made off the UI goroutine); a nil
// digest, or one made for another range or threshold, is made here.
func (m Model) ObserveDigest(snap sampler.Snapshot, events []sampler.Event, now time.Time, listeners *sampler.Listeners, d *Digest) Model {
	if m.s == nil {
		m.s = newState()
	}
	s := m.s
	sec := now.Unix()
	if s.hist.n > 0 && sec < s.hist.head-jumpBack {
		// Time went back (a replay restarted): the history is of a future
		// that has not happened yet, so start over.
		s.hist, s.lastSec = ring{}, 0
	}
	prev := s.lastSec
	if prev == 0 || prev >= sec {
		prev = sec - 1
	}
	s.lastSec = max(s.lastSec, sec)
	s.hist.advance(sec)
	// Events stamped in now's second are the sample's; they are spread over
	// the seconds since the previous one. Others go to their own second.
	var sampleHandOuts, sampleReleases uint32
	for i := range events {
		ev := &events[i]
		handOut := ev.Kind == sampler.Opened && !ev.Existing
		if (!handOut && ev.Kind != sampler.Closed) || !listeners.HandsOutPort(ev) {
			continue
		}
		at := ev.Time.Unix()
		if ev.Time.IsZero() || at >= sec {
			if handOut {
				sampleHandOuts++
			} else {
				sampleReleases++
			}
			continue
		}
		if b := s.hist.at(at); b != nil {
			if handOut {
				b.handOuts++
			} else {
				b.releases++
			}
		}
	}
	s.hist.spread(prev, sec, sampleHandOuts, func(b *bucket) *uint32 { return &b.handOuts })
	s.hist.spread(prev, sec, sampleReleases, func(b *bucket) *uint32 { return &b.releases })
	if d == nil || !d.fits(m) {
		d = m.Digest(snap.Sockets, listeners, &s.dig)
	}
	if b := s.hist.at(sec); b != nil {
		b.timeWait, b.ephemeral = d.timeWait, d.ephemeral
		b.of = m.ephemeral
	}
	s.blocked, s.top, s.owners, s.warnings = d.blocked, d.top, d.owners, d.warnings
	return m
}

// gauges counts TIME_WAIT sockets and the distinct local ports of the OS
// ephemeral range in use (by the sockets of the panel's namespace: those of
// other namespaces listed by SetNetnsRanges hold ports of their own range).
func (m Model) gauges(socks []sampler.Socket, seen *[65536 / 64]uint64) (timeWait, ephemeral uint32) {
	*seen = [len(*seen)]uint64{}
	for i := range socks {
		if socks[i].State == sampler.StateTimeWait {
			timeWait++
		}
		if m.isOther(socks[i].Netns) {
			continue // a port of its own namespace's range, not of this one
		}
		p := socks[i].Local.Port()
		if !m.known() || !m.ephemeral.Contains(p) {
			continue
		}
		seen[p>>6] |= 1 << (p & 63)
	}
	for _, w := range seen {
		ephemeral += uint32(bits.OnesCount64(w))
	}
	return timeWait, ephemeral
}

// warning is one destination over the threshold, as a sentence. A
// destination holding every port of the range says what that means: a new
// connect() to it can fail with EADDRNOTAVAIL. porttop cannot see those
// failures (a socket whose connect() failed never had a port), so it says
// the condition that makes them.
//
// A destination of another namespace is named with it ("in netns blue",
// escaped) and judged against that namespace's own range ("its ephemeral
// range").
func (m Model) warning(dc DestCount) string {
	eph, which := m.rangeFor(dc.Dest.Netns), "the"
	if dc.Dest.Netns != 0 {
		which = "its namespace's"
	}
	if m.full(dc) {
		held := fmt.Sprintf("all %s ports", commas(eph.Size()))
		switch b := m.s.blocked[dc.Dest.Space()]; {
		case b > 0:
			held = fmt.Sprintf("%s of the %s ports (%s more bound by listeners or unconnected sockets)",
				commas(dc.Ports), commas(eph.Size()), commas(b))
		case eph.Size() == 1:
			held = "the only port"
		}
		return fmt.Sprintf("%s holds %s of %s ephemeral range %s: the range is full for it, "+
			"so a new connect() to it can fail with EADDRNOTAVAIL (Cannot assign requested address) until a port is released",
			m.destLabel(dc.Dest), held, which, eph)
	}
	return fmt.Sprintf("%s holds %s local %s: %s of %s ephemeral range %s",
		m.destLabel(dc.Dest), commas(dc.Ports), words.Plural(dc.Ports, "port"), Percent(m.destShare(dc)), which, eph)
}
