package main

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui"
)

// narrowingSource is a source that keeps what it was asked for and returns
// one socket per sample, on the first port it was narrowed to.
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

func onePort(p uint16) sampler.Query {
	return sampler.Query{Ports: []sampler.PortRange{{Lo: p, Hi: p}}}
}

func nextWithin(t *testing.T, f *focusFeed, d time.Duration) (ui.FocusBatch, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	b, err := f.Next(ctx)
	return b, err == nil
}

func TestFocusFeedRunsAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var opened []*narrowingSource
	running := &syncFlag{}
	f := newFocusFeed(ctx, func() (sampler.Source, error) {
		s := &narrowingSource{}
		opened = append(opened, s)
		return s, nil
	}, 10*time.Millisecond, running.set)
	defer func() { cancel(); f.Wait() }()

	f.Focus(1, onePort(60716))
	if !running.get() {
		t.Error("the machine-wide poller was not sent to the background")
	}
	b, ok := nextWithin(t, f, 5*time.Second)
	if !ok || b.Gen != 1 || len(b.Batch.Snapshot.Sockets) != 1 || b.Batch.Snapshot.Sockets[0].Local.Port() != 60716 {
		t.Fatalf("first focused batch: %+v (ok %v)", b, ok)
	}

	// A new focus replaces the run: its batches carry the new generation,
	// and the old source is closed.
	f.Focus(2, onePort(22))
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, ok = nextWithin(t, f, 5*time.Second)
		if !ok {
			t.Fatal("no batch after refocusing")
		}
		if b.Gen == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("still batches of the old focus")
		}
	}
	if port := b.Batch.Snapshot.Sockets[0].Local.Port(); port != 22 {
		t.Errorf("refocused batch on port %d, want 22", port)
	}
	waitFor(t, "the first source closed", opened[0].isClosed)

	// A focus that does not narrow stops sampling.
	f.Focus(3, sampler.Query{Protos: []sampler.Proto{sampler.TCP}})
	waitFor(t, "the second source closed", opened[1].isClosed)
	if running.get() {
		t.Error("the machine-wide poller stayed in the background with no focus running")
	}
	drain(f)
	if b, ok := nextWithin(t, f, 200*time.Millisecond); ok {
		t.Errorf("a batch after focus stopped: %+v", b)
	}
	if len(opened) != 2 {
		t.Errorf("a source was opened for a focus that does not narrow: %d opened", len(opened))
	}

	// Commands can run out of order: an older generation never replaces a newer one.
	f.Focus(2, onePort(22))
	if len(opened) != 2 {
		t.Errorf("an out-of-order, older focus started a run")
	}
}

func TestFocusFeedLeavesSourcesThatCannotNarrow(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	plain := &plainSource{}
	f := newFocusFeed(ctx, func() (sampler.Source, error) { return plain, nil }, 10*time.Millisecond, nil)
	defer func() { cancel(); f.Wait() }()
	f.Focus(1, onePort(60716))
	if !plain.closed {
		t.Error("a source that cannot narrow should be closed at once")
	}
	if b, ok := nextWithin(t, f, 200*time.Millisecond); ok {
		t.Errorf("a batch from a source that cannot narrow: %+v", b)
	}
}

func TestFocusFeedSaysWhenItCannotOpen(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := newFocusFeed(ctx, func() (sampler.Source, error) { return nil, errors.New("no netlink here") }, 10*time.Millisecond, nil)
	defer func() { cancel(); f.Wait() }()
	f.Focus(1, onePort(60716))
	b, ok := nextWithin(t, f, 5*time.Second)
	if !ok || b.Gen != 1 || b.Batch.Err == nil {
		t.Fatalf("want an error batch of generation 1, got %+v (ok %v)", b, ok)
	}
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

// drain takes the batches already on their way.
func drain(f *focusFeed) {
	for {
		if _, ok := func() (ui.FocusBatch, bool) {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			b, err := f.Next(ctx)
			return b, err == nil
		}(); !ok {
			return
		}
	}
}

// syncFlag is a bool set from one goroutine and read from another.
type syncFlag struct {
	mu sync.Mutex
	on bool
}

func (f *syncFlag) set(on bool) { f.mu.Lock(); f.on = on; f.mu.Unlock() }
func (f *syncFlag) get() bool   { f.mu.Lock(); defer f.mu.Unlock(); return f.on }

// failingSource narrows but every sample fails.
type failingSource struct{ narrowingSource }

func (s *failingSource) Sample(context.Context) (sampler.Snapshot, error) {
	return sampler.Snapshot{}, errors.New("sample failed")
}

func TestFocusFeedStopsAFailingRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	running := &syncFlag{}
	src := &failingSource{}
	f := newFocusFeed(ctx, func() (sampler.Source, error) { return src, nil }, 10*time.Millisecond, running.set)
	defer func() { cancel(); f.Wait() }()
	f.Focus(1, onePort(60716))
	b, ok := nextWithin(t, f, 5*time.Second)
	if !ok || b.Batch.Err == nil {
		t.Fatalf("want the failure passed on, got %+v (ok %v)", b, ok)
	}
	waitFor(t, "the failing run stopped", src.isClosed)
	if running.get() {
		t.Error("the machine-wide poller stayed in the background after the focus failed")
	}
}

// A Focus command still running when the view quits must not start a run
// that Wait does not wait for (the race detector watches the WaitGroup).
func TestFocusFeedAfterWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	opened := 0
	f := newFocusFeed(ctx, func() (sampler.Source, error) { opened++; return &narrowingSource{}, nil }, 10*time.Millisecond, nil)
	done := make(chan struct{})
	go func() { defer close(done); f.Focus(1, onePort(60716)) }()
	cancel()
	f.Wait()
	<-done
	f.Focus(2, onePort(22))
	if opened > 1 {
		t.Errorf("a focus after Wait opened a source: %d opened", opened)
	}
	f.Wait() // nothing left running
}
