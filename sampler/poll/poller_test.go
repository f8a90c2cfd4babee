package poll

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

const (
	sockA = "tcp 127.0.0.1:40001 127.0.0.1:80 ESTABLISHED #1"
	sockB = "tcp 127.0.0.1:40002 127.0.0.1:80 ESTABLISHED #2"
	sockC = "tcp 127.0.0.1:40003 127.0.0.1:80 ESTABLISHED #3"
	sockD = "udp 127.0.0.1:40004 127.0.0.1:53 NONE #4"
)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

// newTestPoller builds a poller over steps whose samples the test takes by
// hand (p.sample), so nothing depends on timing.
func newTestPoller(t *testing.T, cfg Config, steps ...scriptStep) (*Poller, *scriptedSource) {
	t.Helper()
	src := &scriptedSource{steps: steps}
	if cfg.Source == nil {
		cfg.Source = src
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return at(1000) }
	}
	return New(cfg), src
}

func ok(s sampler.Snapshot) scriptStep { return scriptStep{snap: s} }

// take returns the pending batch, failing if there is none.
func take(t *testing.T, p *Poller) sampler.Batch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	b, err := p.Next(ctx)
	if err != nil {
		t.Fatalf("no batch pending: %v", err)
	}
	return b
}

func kinds(events []sampler.Event) []string {
	var out []string
	for _, e := range events {
		k := e.Kind.String() + " " + e.Socket.Local.String()
		if e.Existing {
			k += " existing"
		}
		if e.SeenAtEnd {
			k += " seen-at-end"
		}
		out = append(out, k)
	}
	return out
}

func wantKinds(t *testing.T, events []sampler.Event, want ...string) {
	t.Helper()
	if got := kinds(events); !slices.Equal(got, want) {
		t.Errorf("events\n got %q\nwant %q", got, want)
	}
}

func TestPollerFirstSampleExistingAndMerging(t *testing.T) {
	ctx := context.Background()
	p, _ := newTestPoller(t, Config{Interval: time.Second},
		ok(snap(t, at(0), sockA)),
		ok(snap(t, at(1), sockA, sockB)),
		ok(snap(t, at(2), sockB, sockC)),
		ok(snap(t, at(3), sockB, sockC)),
	)
	p.sample(ctx)
	b := take(t, p)
	wantKinds(t, b.Events, "open 127.0.0.1:40001 existing")
	if b.Samples != 1 || b.Reported != 0 || b.Source != "script" || b.Interval != time.Second {
		t.Errorf("first batch: samples %d reported %d source %q interval %v", b.Samples, b.Reported, b.Source, b.Interval)
	}

	// Two samples before the consumer asks: one batch with both.
	p.sample(ctx)
	p.sample(ctx)
	b = take(t, p)
	wantKinds(t, b.Events,
		"open 127.0.0.1:40002",
		"close 127.0.0.1:40001",
		"open 127.0.0.1:40003")
	if b.Samples != 2 {
		t.Errorf("Samples = %d, want 2", b.Samples)
	}
	if !b.Snapshot.Time.Equal(at(2)) || len(b.Snapshot.Sockets) != 2 {
		t.Errorf("snapshot at %v with %d sockets, want the newest (at %v, 2 sockets)", b.Snapshot.Time, len(b.Snapshot.Sockets), at(2))
	}
	if b.Reported != 2 {
		t.Errorf("Reported = %d, want 2 (existing sockets are not counted)", b.Reported)
	}
	if held := b.Events[1].Held; held != 2*time.Second {
		t.Errorf("A held %v, want 2s", held)
	}

	// A quiet sample still makes a batch (the table may have changed state
	// or attribution), with no events.
	p.sample(ctx)
	b = take(t, p)
	if len(b.Events) != 0 || b.Samples != 1 || !b.Snapshot.Time.Equal(at(3)) {
		t.Errorf("quiet batch: %q, samples %d, at %v", kinds(b.Events), b.Samples, b.Snapshot.Time)
	}
}

// Past MaxEvents (or a quarter more than the table, if that is more: see
// pending.limit) the oldest events go, counted.
func TestPollerDropsOldestPastMaxEvents(t *testing.T) {
	ctx := context.Background()
	p, _ := newTestPoller(t, Config{MaxEvents: 3},
		ok(snap(t, at(0))),
		ok(snap(t, at(1), sockA, sockB)),
		ok(snap(t, at(2), sockC, sockD)),
		ok(snap(t, at(3))),
	)
	p.sample(ctx)
	p.sample(ctx)
	p.sample(ctx) // 2 + 4 events pending, cap 3 (a table of 2): the oldest go
	b := take(t, p)
	wantKinds(t, b.Events, "close 127.0.0.1:40002", "open 127.0.0.1:40003", "open 127.0.0.1:40004")
	if b.Dropped != 3 {
		t.Errorf("Dropped = %d, want 3", b.Dropped)
	}
	if b.Reported != 4 {
		t.Errorf("Reported = %d, want 4: a dropped open was still reported", b.Reported)
	}
	p.sample(ctx) // two closes, cap 3
	b = take(t, p)
	if len(b.Events) != 2 || b.Dropped != 3 {
		t.Errorf("%d events, Dropped %d; want 2 events and Dropped 3 (cumulative)", len(b.Events), b.Dropped)
	}
}

func TestPollerErrorKeepsSnapshotAndRecovers(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("table unreadable")
	p, _ := newTestPoller(t, Config{},
		ok(snap(t, at(0), sockA)),
		scriptStep{err: boom},
		ok(snap(t, at(2), sockA, sockB)),
	)
	p.sample(ctx)
	take(t, p)
	p.sample(ctx)
	b := take(t, p)
	if !errors.Is(b.Err, boom) {
		t.Errorf("Err = %v, want %v", b.Err, boom)
	}
	if len(b.Events) != 0 || !b.Snapshot.Time.Equal(at(0)) || len(b.Snapshot.Sockets) != 1 {
		t.Errorf("a failed sample must keep the previous snapshot: %q at %v", kinds(b.Events), b.Snapshot.Time)
	}
	p.sample(ctx)
	b = take(t, p)
	if b.Err != nil {
		t.Errorf("Err = %v after recovery", b.Err)
	}
	wantKinds(t, b.Events, "open 127.0.0.1:40002") // diffed against the last good sample
}

func TestPollerReleaseOfUnseenSocket(t *testing.T) {
	ctx := context.Background()
	p, _ := newTestPoller(t, Config{},
		ok(snap(t, at(0), sockA)),
		ok(snap(t, at(2), sockA)),
	)
	p.sample(ctx)
	take(t, p)
	ghost := sock(t, sockB)
	ghost.Since = sampler.StampOf(at(1))
	p.handleReleases(sampler.Release{Socket: ghost, At: at(1).Add(300 * time.Millisecond)}, nil)
	b := take(t, p)
	wantKinds(t, b.Events, "open 127.0.0.1:40002 seen-at-end", "close 127.0.0.1:40002 seen-at-end")
	if b.Events[1].Held != 300*time.Millisecond {
		t.Errorf("held %v, want the 300ms the source gave", b.Events[1].Held)
	}
	if b.Reported != 1 {
		t.Errorf("Reported = %d, want 1: a seen-at-end open counts", b.Reported)
	}
	if b.Samples != 0 || !b.Snapshot.Time.Equal(at(0)) {
		t.Errorf("a release batch carries the last snapshot and no sample: samples %d at %v", b.Samples, b.Snapshot.Time)
	}

	// Without a start from the source, the hold is unknown: 0.
	unknown := sock(t, sockC)
	p.handleReleases(sampler.Release{Socket: unknown, At: at(1)}, nil)
	b = take(t, p)
	if len(b.Events) != 2 || b.Events[1].Held != 0 {
		t.Errorf("want open+close held 0, got %q held %v", kinds(b.Events), b.Events[len(b.Events)-1].Held)
	}
	// The next sample does not re-report them.
	p.sample(ctx)
	wantKinds(t, take(t, p).Events)
}

func TestPollerQueryChange(t *testing.T) {
	ctx := context.Background()
	p, src := newTestPoller(t, Config{},
		ok(snap(t, at(0), sockA, sockD)),
		ok(snap(t, at(1), sockA)),               // UDP left out by the query
		ok(snap(t, at(2), sockA, sockB, sockD)), // query widened again: D comes back into view
	)
	p.sample(ctx)
	take(t, p)
	p.SetQuery(sampler.Query{Protos: []sampler.Proto{sampler.TCP}})
	p.sample(ctx)
	wantKinds(t, take(t, p).Events) // D did not close
	p.SetQuery(sampler.Query{})
	p.sample(ctx)
	wantKinds(t, take(t, p).Events, "open 127.0.0.1:40002", "open 127.0.0.1:40004 existing")
	if len(src.queries) != 2 || len(src.queries[0].Protos) != 1 {
		t.Errorf("source got queries %+v", src.queries)
	}
}

func TestPollerCountersAndNotes(t *testing.T) {
	ctx := context.Background()
	now := at(0)
	src := &countingSource{scriptedSource: &scriptedSource{steps: []scriptStep{ok(snap(t, at(0), sockA)), ok(snap(t, at(1), sockA))}}}
	p := New(Config{Source: src, Notes: []string{"fell back"}, Now: func() time.Time { return now }})
	p.sample(ctx)
	b := take(t, p)
	if b.Kernel != nil {
		// Read as the first dump began: what opened while it ran is in it
		// as existing yet counted by the kernel (issue 10 item 10).
		t.Fatalf("Kernel = %+v, want none yet: the first sample's reading is no baseline", b.Kernel)
	}
	want := []string{"fell back", "owners hidden: run as root", "a note from the source"}
	if !slices.Equal(b.Notes, want) {
		t.Errorf("Notes %q, want %q", b.Notes, want)
	}
	p.sample(ctx)
	if b = take(t, p); src.reads != 2 || b.Kernel.ActiveOpens != 20 {
		t.Errorf("counters read %d times, ActiveOpens %d; want a fresh reading with every sample", src.reads, b.Kernel.ActiveOpens)
	}
	// Asked once after each Sample: the source answers with what it read as
	// that sample began (sockdiag's TestKernelCountersAsOfSampleStart).
	if !slices.Equal(src.readsBeforeSamples, []int{0, 1}) {
		t.Errorf("counter reads seen by each Sample: %v, want [0 1] (one read after each sample)", src.readsBeforeSamples)
	}
}

func expired() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func TestNextReturnsOnCancel(t *testing.T) {
	p, _ := newTestPoller(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := p.Next(ctx)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Next returned %v, want context.Canceled", err)
	}
}

// TestPollerRun drives the real loop: first sample, a poke, a release from the
// watcher, each read through Next as a consumer would.
func TestPollerRun(t *testing.T) {
	src := &watchingSource{
		scriptedSource: &scriptedSource{steps: []scriptStep{
			ok(snap(t, at(0), sockA)),
			ok(snap(t, at(1), sockA, sockB)),
		}},
		releases: make(chan sampler.Release),
	}
	p := New(Config{Source: src, Interval: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- p.Run(ctx) }()

	var got []string
	collect := func(n int) {
		for len(got) < n {
			b, err := p.Next(ctx)
			if err != nil {
				t.Fatalf("Next: %v (events so far %q)", err, got)
			}
			got = append(got, kinds(b.Events)...)
		}
	}
	collect(1)
	p.Poke()
	collect(2)
	src.releases <- sampler.Release{Socket: sock(t, sockB), At: at(2)}
	collect(3)
	want := []string{"open 127.0.0.1:40001 existing", "open 127.0.0.1:40002", "close 127.0.0.1:40002"}
	if !slices.Equal(got, want) {
		t.Errorf("events\n got %q\nwant %q", got, want)
	}
	if err := p.Run(ctx); err == nil {
		t.Error("a second Run while running should fail")
	}
	cancel()
	if err := <-ran; err != nil {
		t.Errorf("Run returned %v after its context ended", err)
	}
}

func TestPollerRunWatcherFails(t *testing.T) {
	src := &watchingSource{
		scriptedSource: &scriptedSource{steps: []scriptStep{ok(snap(t, at(0), sockA))}},
		fail:           errors.New("no multicast group"),
	}
	p := New(Config{Source: src, Interval: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go p.Run(ctx)
	for {
		b, err := p.Next(ctx)
		if err != nil {
			t.Fatalf("no note about the failed watcher: %v", err)
		}
		if slices.Contains(b.Notes, "release events unavailable (no multicast group): relying on polling") {
			return
		}
	}
}

func TestPollerRunWithoutSource(t *testing.T) {
	if err := New(Config{}).Run(context.Background()); err == nil {
		t.Error("Run with no source should fail")
	}
}

func TestAdaptInterval(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		cur, cost, want time.Duration
	}{
		{0, 1 * ms, 100 * ms},            // cheap from the start: 10 Hz
		{0, 50 * ms, 1000 * ms},          // 50ms a sample: 1 s keeps it at 5%
		{100 * ms, 1 * ms, 100 * ms},     // cheap stays at the floor
		{100 * ms, 50 * ms, 550 * ms},    // got dear: half-way to 1 s
		{550 * ms, 50 * ms, 775 * ms},    // and on towards it
		{1000 * ms, 5 * ms, 550 * ms},    // cheap again: half-way back down
		{100 * ms, 500 * ms, 1050 * ms},  // very dear: half-way to the 2 s ceiling
		{2000 * ms, 900 * ms, 2000 * ms}, // never past the ceiling
		{100 * ms, 5 * ms, 100 * ms},     // exactly 5%
	}
	for _, c := range cases {
		if got := adaptInterval(c.cur, c.cost); got != c.want {
			t.Errorf("adaptInterval(%v, %v) = %v, want %v", c.cur, c.cost, got, c.want)
		}
	}
	// Steady cost converges to the 5% interval.
	iv := MinAdaptiveInterval
	for range 20 {
		iv = adaptInterval(iv, 40*ms)
	}
	if d := iv - 800*ms; d < -ms || d > ms {
		t.Errorf("steady 40ms samples settle at %v, want about 800ms", iv)
	}
}

func TestPollerAdaptiveIntervalReported(t *testing.T) {
	p, _ := newTestPoller(t, Config{}, ok(snap(t, at(0), sockA)))
	p.sample(context.Background())
	if b := take(t, p); b.Interval < MinAdaptiveInterval || b.Interval > MaxAdaptiveInterval {
		t.Errorf("adaptive Interval %v outside [%v, %v]", b.Interval, MinAdaptiveInterval, MaxAdaptiveInterval)
	}
}

func TestPollerReportedTCPLeavesOutUDPAndListeners(t *testing.T) {
	ctx := context.Background()
	listener := "tcp 127.0.0.1:8080 0.0.0.0:0 LISTEN #9"
	p, _ := newTestPoller(t, Config{},
		ok(snap(t, at(0))),
		ok(snap(t, at(1), sockA, sockB, sockD, listener)),
	)
	p.sample(ctx)
	p.sample(ctx)
	b := take(t, p)
	if b.Reported != 4 || b.ReportedTCP != 2 {
		t.Errorf("Reported %d, ReportedTCP %d; want 4 opens of which 2 TCP connections (no UDP, no listener)", b.Reported, b.ReportedTCP)
	}
}

func TestBackgroundKeepsAdaptivePollerSlow(t *testing.T) {
	p := New(Config{Source: &scriptedSource{}})
	p.tune(time.Millisecond)
	if p.interval != MinAdaptiveInterval {
		t.Fatalf("a cheap sample: interval %v, want %v", p.interval, MinAdaptiveInterval)
	}
	p.SetBackground(true)
	p.tune(time.Millisecond)
	if p.interval != BackgroundInterval {
		t.Errorf("in the background: interval %v, want %v", p.interval, BackgroundInterval)
	}
	p.tune(50 * time.Millisecond) // 2% of a core: every 2.5 s
	if p.interval != 2500*time.Millisecond {
		t.Errorf("a costly sample in the background: interval %v, want 2.5s", p.interval)
	}
	p.tune(time.Second)
	if p.interval != MaxBackgroundInterval {
		t.Errorf("a very costly sample in the background: interval %v, want %v", p.interval, MaxBackgroundInterval)
	}
	p.SetBackground(false)
	select {
	case <-p.poke:
	default:
		t.Error("leaving the background should poke the poller to sample at once")
	}
	p.tune(time.Millisecond)
	if p.interval != MinAdaptiveInterval {
		t.Errorf("back in the foreground: interval %v, want %v", p.interval, MinAdaptiveInterval)
	}

	fixed := New(Config{Source: &scriptedSource{}, Interval: 250 * time.Millisecond})
	fixed.SetBackground(true)
	fixed.tune(time.Millisecond)
	if fixed.interval != 250*time.Millisecond {
		t.Errorf("a fixed interval must be honoured in the background too: %v", fixed.interval)
	}
}

// ReportedTCPAtKernel stands still between samples, as the kernel counters
// do: a connection known only from its release is counted at once in
// ReportedTCP, and in ReportedTCPAtKernel from the next sample on.
func TestReportedTCPAtKernelMovesWithTheCounters(t *testing.T) {
	ctx := context.Background()
	p, _ := newTestPoller(t, Config{},
		ok(snap(t, at(0))),
		ok(snap(t, at(1), sockA)),
		ok(snap(t, at(2), sockA)),
	)
	p.sample(ctx)
	p.sample(ctx)
	b := take(t, p)
	if b.ReportedTCP != 1 || b.ReportedTCPAtKernel != 1 {
		t.Fatalf("after a sample: ReportedTCP %d, at kernel %d; want 1 and 1", b.ReportedTCP, b.ReportedTCPAtKernel)
	}
	p.handleReleases(sampler.Release{Socket: sock(t, sockB), At: at(1).Add(500 * time.Millisecond)}, nil)
	b = take(t, p)
	if b.ReportedTCP != 2 || b.ReportedTCPAtKernel != 1 {
		t.Fatalf("after a release between samples: ReportedTCP %d, at kernel %d; want 2 and 1", b.ReportedTCP, b.ReportedTCPAtKernel)
	}
	p.sample(ctx)
	if b = take(t, p); b.ReportedTCPAtKernel != 2 {
		t.Errorf("after the next sample: at kernel %d, want 2", b.ReportedTCPAtKernel)
	}
}
