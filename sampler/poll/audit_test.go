package poll

import (
	"context"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// The kernel audit: what porttop reported set against the kernel's own
// counts of connections opened, as the header ("kernel N, porttop saw M
// (K missed)") and watch's stats line compare them: from the first
// reading a batch carries.

// missed is what a consumer shows as missed: the kernel's opens since the
// first reading it was given, past the TCP opens reported at that instant.
type missed struct{ start *sampler.KernelCounters }

// check wants the consumer to show want missed, and porttop leading the
// kernel by lead.
func (m *missed) check(want, lead uint64) check {
	return func(t *testing.T, r *Reconciler) {
		t.Helper()
		a := r.Audit()
		if a.Kernel == nil {
			return
		}
		if m.start == nil {
			k := *a.Kernel
			m.start = &k
		}
		kernel := a.Kernel.ActiveOpens + a.Kernel.PassiveOpens - m.start.ActiveOpens - m.start.PassiveOpens
		var got, ahead uint64
		if kernel > a.ReportedTCPAtKernel {
			got = kernel - a.ReportedTCPAtKernel
		} else {
			ahead = a.ReportedTCPAtKernel - kernel
		}
		if got != want || ahead != lead {
			t.Errorf("kernel opened %d since the first reading, porttop saw %d: %d missed and %d ahead, want %d and %d", kernel, a.ReportedTCPAtKernel, got, ahead, want, lead)
		}
	}
}

// Issue 10 item 10: the first sample's counters are read as its dump
// begins; a connection opened while the dump runs is in it (existing, so
// never reported) yet counted by the kernel after that reading. Taken as
// the baseline, that reading showed "1 missed" for good at start-up.
func TestAuditStartsAfterTheFirstSample(t *testing.T) {
	var m missed
	first := snap(t, at(0), sockA) // A connected after the counters were read, before the dump reached it
	runScript(t,
		sampleOf{snap: first, kernel: &sampler.KernelCounters{ActiveOpens: 10}},
		want{"open 127.0.0.1:40001 #1 existing"},
		check(func(t *testing.T, r *Reconciler) {
			if r.Audit().Kernel != nil {
				t.Errorf("the first sample's reading %+v was taken as the baseline", r.Audit().Kernel)
			}
		}),
		m.check(0, 0),
		sampleOf{snap: snap(t, at(1), sockA), kernel: &sampler.KernelCounters{ActiveOpens: 11}}, // counts A's connect
		m.check(0, 0),
		sampleOf{snap: snap(t, at(2), sockA, sockB), kernel: &sampler.KernelCounters{ActiveOpens: 12}}, // B: seen and counted
		want{"open 127.0.0.1:40002 #2"},
		m.check(0, 0),
	)
}

// A connection that opened and closed while the first sample was being
// taken (after its dump, before the next sample's reading) is reported
// from its release, but happened before the audit's baseline: it is no
// lead over the kernel.
func TestAuditLeavesOutReleasesBeforeItsBaseline(t *testing.T) {
	var m missed
	runScript(t,
		sampleOf{snap: snap(t, at(0), sockA), kernel: &sampler.KernelCounters{ActiveOpens: 10}},
		release{1, sockC},
		want{"open 127.0.0.1:40001 #1 existing", "open 127.0.0.1:40003 #3 seen-at-end", "close 127.0.0.1:40003 #3 seen-at-end"},
		sampleOf{snap: snap(t, at(1), sockA), kernel: &sampler.KernelCounters{ActiveOpens: 11}}, // the baseline: C's connect is in it
		m.check(0, 0),
		release{2, sockB}, // after the baseline: counted on both sides
		sampleOf{snap: snap(t, at(3), sockA), kernel: &sampler.KernelCounters{ActiveOpens: 12}},
		want{"open 127.0.0.1:40002 #2 seen-at-end", "close 127.0.0.1:40002 #2 seen-at-end"},
		m.check(0, 0),
		check(func(t *testing.T, r *Reconciler) {
			if a := r.Audit(); a.ReportedTCP != 2 {
				t.Errorf("ReportedTCP %d, want 2: every open reported counts, the audit only sets some aside", a.ReportedTCP)
			}
		}),
	)
}

// Releases heard before the first sample (the watcher starts first) are of
// sockets that were there before porttop looked: existing, as the first
// sample's are, and not counted as opens reported.
func TestAuditLeavesOutReleasesBeforeTheFirstSample(t *testing.T) {
	runScript(t,
		release{0, sockA},
		want{"open 127.0.0.1:40001 #1 existing seen-at-end", "close 127.0.0.1:40001 #1 seen-at-end"},
		sample{1, []string{sockB}},
		want{"open 127.0.0.1:40002 #2 existing"},
		release{2, sockC}, // after the first sample: a connection that lived and died between samples
		want{"open 127.0.0.1:40003 #3 seen-at-end", "close 127.0.0.1:40003 #3 seen-at-end"},
		check(func(t *testing.T, r *Reconciler) {
			if a := r.Audit(); a.Reported != 1 || a.ReportedTCP != 1 {
				t.Errorf("reported %d opens (%d TCP), want 1: only the release after the first sample", a.Reported, a.ReportedTCP)
			}
		}),
	)
}

// The poller takes the audit's baseline at once: after the first sample of
// a source that reads the kernel's counters it asks for the next sample
// without waiting out the interval, so that almost nothing opens between
// the first dump and the reading the audit starts from.
func TestPollerTakesTheAuditBaselineAtOnce(t *testing.T) {
	ctx := context.Background()
	src := &countingSource{scriptedSource: &scriptedSource{steps: []scriptStep{ok(snap(t, at(0), sockA)), ok(snap(t, at(1), sockA)), ok(snap(t, at(2), sockA))}}}
	p := New(Config{Source: src})
	poked := func() bool {
		select {
		case <-p.poke:
			return true
		default:
			return false
		}
	}
	p.sample(ctx)
	if !poked() {
		t.Error("no sample asked for at once after the first: the audit's baseline would wait an interval")
	}
	if b := take(t, p); b.Kernel != nil {
		t.Errorf("first batch carries counters %+v, want none: they are no baseline", b.Kernel)
	}
	p.sample(ctx)
	if poked() {
		t.Error("the second sample asked for another at once")
	}
	if b := take(t, p); b.Kernel == nil || b.Kernel.ActiveOpens != 20 {
		t.Errorf("second batch carries counters %+v, want the second reading", b.Kernel)
	}
}

// A source that reads its counters again as its dump ends gives the audit
// its start with the first sample: every connection in that sample is
// counted in that reading, and nothing opened since is.
func TestAuditStartsFromTheFirstDumpsEnd(t *testing.T) {
	var m missed
	runScript(t,
		sampleOf{snap: snap(t, at(0), sockA), kernel: &sampler.KernelCounters{ActiveOpens: 10}, end: &sampler.KernelCounters{ActiveOpens: 11}}, // A connected while the dump ran
		want{"open 127.0.0.1:40001 #1 existing"},
		check(func(t *testing.T, r *Reconciler) {
			if k := r.Audit().Kernel; k == nil || k.ActiveOpens != 11 {
				t.Errorf("audit starts from %+v, want the reading as the first dump ended", k)
			}
		}),
		m.check(0, 0),
		sampleOf{snap: snap(t, at(1), sockA, sockB), kernel: &sampler.KernelCounters{ActiveOpens: 12}, end: &sampler.KernelCounters{ActiveOpens: 12}}, // B
		want{"open 127.0.0.1:40002 #2"},
		m.check(0, 0),
	)
}

// endCountingSource also reads its counters as its dump ends.
type endCountingSource struct {
	*countingSource
	endReads int
}

func (e *endCountingSource) KernelCountersAtFirstDumpEnd() (sampler.KernelCounters, error) {
	e.endReads++
	return sampler.KernelCounters{ActiveOpens: 15}, nil
}

// With a reading as the first dump ended, the poller needs no second
// sample at once, and its first batch carries that reading.
func TestPollerStartsTheAuditFromTheFirstDumpsEnd(t *testing.T) {
	ctx := context.Background()
	src := &endCountingSource{countingSource: &countingSource{scriptedSource: &scriptedSource{steps: []scriptStep{ok(snap(t, at(0), sockA)), ok(snap(t, at(1), sockA))}}}}
	p := New(Config{Source: src})
	p.sample(ctx)
	select {
	case <-p.poke:
		t.Error("a sample asked for at once although the first dump's end reading is the audit's start")
	default:
	}
	if b := take(t, p); b.Kernel == nil || b.Kernel.ActiveOpens != 15 {
		t.Errorf("first batch carries counters %+v, want the reading as its dump ended", b.Kernel)
	}
	p.sample(ctx)
	if b := take(t, p); b.Kernel == nil || b.Kernel.ActiveOpens != 20 || src.endReads != 1 {
		t.Errorf("second batch carries %+v after %d end readings, want the second start reading and one end reading", b.Kernel, src.endReads)
	}
}
