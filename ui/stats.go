package ui

import (
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/header"
)

// stats are the header's machine-wide figures, kept from every batch before
// any filter applies and whether or not the display is paused.
type stats struct {
	counts      header.Counts
	fullest     *header.Fullest // the other namespace fullest of its range
	rates       header.Rates
	last        sampler.Batch // the newest batch's sampling facts (Snapshot dropped)
	seen        bool
	kernelStart *sampler.KernelCounters
	// listeners are the newest batch's TCP listeners, found once per batch
	// for everything that counts ports handed out (rates, map, churn); a
	// pointer so that copies of the Model share one 8 KiB set.
	listeners *sampler.Listeners
	// failures are the failed hand-outs since the start (ebpf source).
	failures sampler.FailureTotals
}

// observe takes a machine-wide batch in. f are its figures made off the
// UI goroutine (nil: none), taken as they are when made for the range in
// force; otherwise (the batch changed it) they are counted here.
func (s *stats) observe(b sampler.Batch, m *Model, f *wideFacts) {
	if s.listeners == nil {
		s.listeners = new(sampler.Listeners)
	}
	s.fullest = nil
	if f != nil && f.eph == m.cfg.Ephemeral {
		s.counts = f.counts
		if f.hasFullest {
			s.fullest = &f.fullest
		}
		*s.listeners = f.listeners // the same set: the feed holds it
	} else {
		s.counts = header.TallyNetns(b.Snapshot.Sockets, m.cfg.Ephemeral, b.NetnsRanges)
		if f, ok := header.FullestNamespace(b.Snapshot.Sockets, b.NetnsRanges); ok {
			s.fullest = &f
		}
		s.listeners.Reset(b.Snapshot.Sockets)
	}
	s.observeEvents(b)
}

// observeEvents takes in a machine-wide batch's events and sampling facts;
// alone, for a batch whose table is the one observed last
// (live.Batch.TableKept): the table's figures stand.
func (s *stats) observeEvents(b sampler.Batch) {
	if s.listeners == nil {
		s.listeners = new(sampler.Listeners)
		s.listeners.Reset(b.Snapshot.Sockets)
	}
	s.rates.Observe(b.Events, s.listeners)
	s.failures.Add(b.Failures)
	if b.Kernel != nil && s.kernelStart == nil {
		k := *b.Kernel
		s.kernelStart = &k
	}
	b.Snapshot.Sockets, b.Events = nil, nil // keep the facts, not the data
	s.last = b
	s.seen = true
}

// kernelOpened is how many connections the kernel opened since porttop's
// first batch, or nil when the source cannot read its counters.
func (s *stats) kernelOpened() *uint64 {
	k := s.last.Kernel
	if k == nil || s.kernelStart == nil {
		return nil
	}
	now := k.ActiveOpens + k.PassiveOpens
	start := s.kernelStart.ActiveOpens + s.kernelStart.PassiveOpens
	var n uint64
	if now > start {
		n = now - start
	}
	return &n
}

// headerInfo gathers what the header shows now.
func (m Model) headerInfo(now time.Time) header.Info {
	s := &m.stats
	opened, closed := s.rates.PerSecond(now)
	in := header.Info{
		Host:            m.cfg.Host,
		OS:              m.cfg.OS,
		Ephemeral:       m.cfg.Ephemeral,
		EphemeralSource: m.cfg.EphemeralSource,
		Counts:          s.counts,
		Fullest:         s.fullest,
		Warn:            m.cfg.Warn,
		OpenedPerSec:    opened,
		ClosedPerSec:    closed,
		Interval:        s.last.Interval,
		Requested:       m.cfg.Interval,
		Cost:            s.last.Cost,
		FocusInterval:   m.focusedInterval(),
		FocusCost:       m.focused.Cost,
		Shown:           m.shownEvery(),
		Source:          s.last.Source,
		Notes:           s.last.Notes,
		Warnings:        m.views.churn.Warnings(),
		Dropped:         s.last.Dropped,
		Failures:        s.failures,
		OwnNetns:        m.cfg.OwnNetns,
		KernelOpened:    s.kernelOpened(),
		Reported:        s.last.ReportedTCPAtKernel, // as of the counters' own instant
		Err:             s.last.Err,
		Waiting:         !s.seen,
		Badges:          m.badges(),
	}
	if !s.seen {
		in.Counts.EphemeralSize = m.cfg.Ephemeral.Size()
	}
	return in
}
