package live

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// The driver, run with goroutines as the live view runs it: its pollers
// are fakes (the merge itself is scripted in the other tests).

// narrowingSource keeps what it was asked for and returns one socket per
// sample, on the first port it was narrowed to.
type narrowingSource struct {
	mu     sync.Mutex
	query  sampler.Query
	closed bool
}

func (s *narrowingSource) Name() string { return "fake" }
func (s *narrowingSource) SetQuery(q sampler.Query) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.query = q
}
func (s *narrowingSource) Sample(ctx context.Context) (sampler.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var socks []sampler.Socket
	if len(s.query.Ports) > 0 {
		socks = append(socks, sampler.Socket{ID: sampler.ID{Cookie: 1, Proto: sampler.TCP,
			Local: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), s.query.Ports[0].Lo)}, State: sampler.StateListen})
	}
	return sampler.Snapshot{Time: time.Now(), Sockets: socks}, nil
}
func (s *narrowingSource) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}
func (s *narrowingSource) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// plainSource cannot narrow (like gopsutil).
type plainSource struct{ closed bool }

func (s *plainSource) Name() string { return "plain" }
func (s *plainSource) Sample(context.Context) (sampler.Snapshot, error) {
	return sampler.Snapshot{Time: time.Now()}, nil
}
func (s *plainSource) Close() error { s.closed = true; return nil }

// failingSource narrows but every sample fails.
type failingSource struct{ narrowingSource }

func (s *failingSource) Sample(context.Context) (sampler.Snapshot, error) {
	return sampler.Snapshot{}, errors.New("sample failed")
}

// fakePoller samples its source every interval and hands each sample over
// as a batch, its sockets reported opened.
type fakePoller struct {
	src      sampler.Source
	interval time.Duration
	out      chan sampler.Batch
}

func newFakePoller(src sampler.Source, interval time.Duration, _ sampler.Query, _ Known) Poller {
	return &fakePoller{src: src, interval: interval, out: make(chan sampler.Batch)}
}

func (p *fakePoller) SetQuery(q sampler.Query) {
	if qs, ok := p.src.(sampler.Queryable); ok {
		qs.SetQuery(q)
	}
}

func (p *fakePoller) Run(ctx context.Context) error {
	for {
		snap, err := p.src.Sample(ctx)
		b := sampler.Batch{Snapshot: snap, Err: err, Interval: p.interval, Samples: 1}
		for _, s := range snap.Sockets {
			b.Events = append(b.Events, sampler.Event{Kind: sampler.Opened, Time: snap.Time, Socket: s})
		}
		select {
		case p.out <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-time.After(p.interval):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (p *fakePoller) Next(ctx context.Context) (sampler.Batch, error) {
	select {
	case b := <-p.out:
		return b, nil
	case <-ctx.Done():
		return sampler.Batch{}, ctx.Err()
	}
}

// wideFeed yields the batches sent on it, and counts those handed back.
type wideFeed struct {
	batches  chan sampler.Batch
	mu       sync.Mutex
	recycled int
}

func (w *wideFeed) Next(ctx context.Context) (sampler.Batch, error) {
	select {
	case b := <-w.batches:
		return b, nil
	case <-ctx.Done():
		return sampler.Batch{}, ctx.Err()
	}
}

func (w *wideFeed) Recycle(sampler.Snapshot) { w.mu.Lock(); w.recycled++; w.mu.Unlock() }

// syncFlag is a bool set from one goroutine and read from another.
type syncFlag struct {
	mu sync.Mutex
	on bool
}

func (f *syncFlag) set(on bool) { f.mu.Lock(); f.on = on; f.mu.Unlock() }
func (f *syncFlag) get() bool   { f.mu.Lock(); defer f.mu.Unlock(); return f.on }

func newTestFeed(ctx context.Context, open func() (sampler.Source, error), running func(bool)) (*Feed, *wideFeed) {
	wide := &wideFeed{batches: make(chan sampler.Batch, 1)}
	return NewFeed(ctx, Config{Wide: wide, Background: running, Open: open, NewPoller: newFakePoller, Interval: 10 * time.Millisecond}), wide
}

func nextWithin(t *testing.T, f *Feed, d time.Duration) (Batch, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	b, err := f.Next(ctx)
	return b, err == nil
}

// nextFocused is the feed's next batch that a focus drives, passing by
// the rest.
func nextFocused(t *testing.T, f *Feed) Batch {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if b, ok := nextWithin(t, f, 5*time.Second); ok && b.Show == ShowFocused {
			return b
		}
	}
	t.Fatal("no focused batch")
	return Batch{}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("never saw %s", what)
}

func TestFeedRunsAndStopsFocuses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var opened []*narrowingSource
	running := &syncFlag{}
	f, wide := newTestFeed(ctx, func() (sampler.Source, error) {
		s := &narrowingSource{}
		mu.Lock()
		opened = append(opened, s)
		mu.Unlock()
		return s, nil
	}, running.set)
	defer func() { cancel(); f.Wait() }()
	nOpened := func() int { mu.Lock(); defer mu.Unlock(); return len(opened) }

	wide.batches <- sampler.Batch{Snapshot: sampler.Snapshot{Time: time.Now()}, Source: "wide"}
	if b, ok := nextWithin(t, f, 5*time.Second); !ok || b.Wide == nil || b.Wide.Source != "wide" || b.Show != ShowWide {
		t.Fatalf("the machine-wide batch: %+v (ok %v)", b, ok)
	}

	f.SetQuery(onePort(60716))
	b := nextFocused(t, f)
	if len(b.Snapshot.Sockets) != 1 || b.Snapshot.Sockets[0].Local.Port() != 60716 || !b.Focus.Live {
		t.Fatalf("first focused batch: %+v", b)
	}
	if !running.get() {
		t.Error("the machine-wide poller was not sent to the background")
	}

	// A new focus replaces the run: the table goes back to the machine-wide
	// snapshot at once, then the new focus drives it; the old source is
	// closed.
	f.SetQuery(onePort(22))
	if b, ok := nextWithin(t, f, 5*time.Second); !ok || !b.Reset || b.Focus.Live {
		t.Errorf("refocusing a live focus: %+v (ok %v), want a reset first", b, ok)
	}
	if b = nextFocused(t, f); b.Snapshot.Sockets[0].Local.Port() != 22 {
		t.Errorf("refocused batch on port %d, want 22", b.Snapshot.Sockets[0].Local.Port())
	}
	waitFor(t, "the first source closed", opened[0].isClosed)

	// A focus that does not narrow stops sampling.
	f.SetQuery(sampler.Query{Protos: []sampler.Proto{sampler.TCP}})
	if b, ok := nextWithin(t, f, 5*time.Second); !ok || !b.Reset {
		t.Errorf("stopping a live focus: %+v (ok %v), want a reset", b, ok)
	}
	waitFor(t, "the second source closed", opened[1].isClosed)
	if running.get() {
		t.Error("the machine-wide poller stayed in the background with no focus running")
	}
	if b, ok := nextWithin(t, f, 200*time.Millisecond); ok {
		t.Errorf("a batch after focus stopped: %+v", b)
	}
	if nOpened() != 2 {
		t.Errorf("a source was opened for a focus that does not narrow: %d opened", nOpened())
	}

	// Filters set faster than the feed steps: only the newest is run.
	f.SetQuery(onePort(22))
	f.SetQuery(onePort(8080))
	if b = nextFocused(t, f); b.Snapshot.Sockets[0].Local.Port() != 8080 {
		t.Errorf("focused on port %d, want the newest filter's 8080", b.Snapshot.Sockets[0].Local.Port())
	}
	if nOpened() != 3 {
		t.Errorf("%d sources opened, want 3: a filter replaced before the feed stepped started a run", nOpened())
	}

	// Snapshots go back to the machine-wide poller.
	f.Recycle(sampler.Snapshot{})
	wide.mu.Lock()
	defer wide.mu.Unlock()
	if wide.recycled != 1 {
		t.Errorf("recycled %d snapshots into the machine-wide poller, want 1", wide.recycled)
	}
}

func TestFeedLeavesSourcesThatCannotNarrow(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	plain := &plainSource{}
	running := &syncFlag{}
	f, _ := newTestFeed(ctx, func() (sampler.Source, error) { return plain, nil }, running.set)
	defer func() { cancel(); f.Wait() }()
	f.SetQuery(onePort(60716))
	if b, ok := nextWithin(t, f, 200*time.Millisecond); ok {
		t.Errorf("a batch from a source that cannot narrow: %+v", b)
	}
	if !plain.closed {
		t.Error("a source that cannot narrow should be closed at once")
	}
	if running.get() {
		t.Error("the machine-wide poller went to the background for no focus")
	}
}

func TestFeedSaysWhenItCannotOpen(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f, _ := newTestFeed(ctx, func() (sampler.Source, error) { return nil, errors.New("no netlink here") }, nil)
	defer func() { cancel(); f.Wait() }()
	f.SetQuery(onePort(60716))
	b, ok := nextWithin(t, f, 5*time.Second)
	if !ok || b.Err == nil || b.Err.Error() != "no netlink here" || b.Reset {
		t.Fatalf("want the error said, got %+v (ok %v)", b, ok)
	}
}

func TestFeedStopsAFailingRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	running := &syncFlag{}
	src := &failingSource{}
	f, _ := newTestFeed(ctx, func() (sampler.Source, error) { return src, nil }, running.set)
	defer func() { cancel(); f.Wait() }()
	f.SetQuery(onePort(60716))
	b, ok := nextWithin(t, f, 5*time.Second)
	if !ok || b.Err == nil {
		t.Fatalf("want the failure passed on, got %+v (ok %v)", b, ok)
	}
	waitFor(t, "the failing run stopped", src.isClosed)
	if running.get() {
		t.Error("the machine-wide poller stayed in the background after the focus failed")
	}
}

// A filter set while the view quits must not start a run that Wait does
// not wait for (the race detector watches the WaitGroup).
func TestFeedAfterWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	opened := 0
	f, _ := newTestFeed(ctx, func() (sampler.Source, error) {
		mu.Lock()
		opened++
		mu.Unlock()
		return &narrowingSource{}, nil
	}, nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.SetQuery(onePort(60716))
		_, _ = f.Next(context.Background()) // ends with ctx
	}()
	cancel()
	f.Wait()
	<-done
	f.SetQuery(onePort(22))
	if _, err := f.Next(context.Background()); err == nil {
		t.Error("Next after the view's context ended returned a batch")
	}
	mu.Lock()
	defer mu.Unlock()
	if opened > 1 {
		t.Errorf("a focus after Wait opened a source: %d opened", opened)
	}
	f.Wait() // nothing left running
}

// The machine-wide poller is read only when the view asks for a batch:
// while the view is busy, the poller goes on merging its samples into one
// batch rather than one being taken early and handed over stale.
func TestFeedReadsThePollerOnlyWhenAsked(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	wide := &wideFeed{batches: make(chan sampler.Batch)} // unbuffered: a send needs a reader
	f := NewFeed(ctx, Config{Wide: wide})
	defer func() { cancel(); f.Wait() }()
	go func() { wide.batches <- sampler.Batch{Source: "first"} }()
	if b, ok := nextWithin(t, f, 5*time.Second); !ok || b.Wide == nil || b.Wide.Source != "first" {
		t.Fatalf("the first batch: %+v (ok %v)", b, ok)
	}
	// Nothing asks now: nobody may be reading the poller.
	for deadline := time.Now().Add(200 * time.Millisecond); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		select {
		case wide.batches <- sampler.Batch{Source: "early"}:
			t.Fatal("the poller was read before the view asked for a batch")
		default:
		}
	}
}
