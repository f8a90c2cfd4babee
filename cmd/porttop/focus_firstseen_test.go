package main

import (
	"context"
	"io"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui"
	"github.com/porttop/porttop/ui/sockettable"
)

// The live feed, as runLive wires it, hands a new focus the first-seen
// times the view knew: the focus's first sample keeps them rather than
// stamp its own time.

// narrowingSource keeps what it was asked for and returns one socket per
// sample, on the first port it was narrowed to.
type narrowingSource struct {
	mu    sync.Mutex
	query sampler.Query
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

// wideFeed yields the batches sent on it: the machine-wide poller.
type wideFeed chan sampler.Batch

func (w wideFeed) Next(ctx context.Context) (sampler.Batch, error) {
	select {
	case b := <-w:
		return b, nil
	case <-ctx.Done():
		return sampler.Batch{}, ctx.Err()
	}
}

func onePort(p uint16) sampler.Query {
	return sampler.Query{Ports: []sampler.PortRange{{Lo: p, Hi: p}}}
}

// nextFocused is the feed's next batch that a focus drives.
func nextFocused(t *testing.T, f *live.Feed) live.Batch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		b, err := f.Next(ctx)
		if err != nil {
			t.Fatalf("no focused batch: %v", err)
		}
		if b.Show == live.ShowFocused {
			return b
		}
	}
}

func TestFocusFeedKeepsFirstSeenTimes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	wide := make(wideFeed, 1)
	f := live.NewFeed(ctx, live.Config{Wide: wide, NewPoller: newFocusPoller, Interval: 10 * time.Millisecond,
		Open: func() (sampler.Source, error) { return &narrowingSource{}, nil }})
	defer func() { cancel(); f.Wait() }()

	q := onePort(8765)
	// As the machine-wide view knew it (narrowingSource reports cookie 1).
	listener := sampler.Socket{ID: sampler.ID{Cookie: 1, Proto: sampler.TCP,
		Local: netip.MustParseAddrPort("127.0.0.1:8765")}, State: sampler.StateListen}
	listener.Since = sampler.StampOf(time.Now().Add(-17 * time.Second))
	wide <- sampler.Batch{Snapshot: sampler.Snapshot{Time: time.Now(), Sockets: []sampler.Socket{listener}}}
	if b, err := f.Next(ctx); err != nil || b.Wide == nil {
		t.Fatalf("the machine-wide batch: %+v, %v", b, err)
	}
	f.SetQuery(q)
	b := nextFocused(t, f)
	if len(b.Snapshot.Sockets) != 1 {
		t.Fatalf("first focused batch: %+v", b)
	}
	if got := b.Snapshot.Sockets[0].Since; !got.Time().Equal(listener.Since.Time()) {
		t.Errorf("the focus's first sample stamped since %v, want %v from the machine-wide view", got, listener.Since)
	}

	// A focus knowing nothing (the machine-wide view has no socket on the
	// port): the sample's own time, as before.
	wide <- sampler.Batch{Snapshot: sampler.Snapshot{Time: time.Now()}}
	f.SetQuery(sampler.Query{})
	for b, err := f.Next(ctx); err == nil && b.Wide == nil; b, err = f.Next(ctx) {
	}
	f.SetQuery(q)
	b = nextFocused(t, f)
	if got := b.Snapshot.Sockets[0].Since; !got.Time().After(listener.Since.Time().Add(16 * time.Second)) {
		t.Errorf("a focus without first-seen times stamped since %v, want its own sample's time", got)
	}
}

// stepSource returns its steps in order, each a fresh copy without Since,
// as a kernel source does; the last repeats.
type stepSource struct {
	narrowingSource
	steps []sampler.Snapshot
}

func (s *stepSource) Sample(context.Context) (sampler.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.steps[0]
	if len(s.steps) > 1 {
		s.steps = s.steps[1:]
	}
	socks := make([]sampler.Socket, len(st.Sockets))
	for i, k := range st.Sockets {
		k.Since = 0
		socks[i] = k
	}
	return sampler.Snapshot{Time: st.Time, Sockets: socks}, nil
}

// The audit's repro: a connection the machine-wide view has known for 20 s;
// 9 s later a port filter starts the filtered view's own sampler. Its age
// must carry on (29 s, not 0), and so must the held time when it closes.
func TestPortFilterKeepsTheAgeTheWideViewKnew(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	now := t0
	tcp := func(local, remote string, st sampler.State, pid int32, proc string, since time.Time) sampler.Socket {
		s := sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: netip.MustParseAddrPort(local)}, State: st, Owner: sampler.Owner{PID: pid, Process: proc}, Since: sampler.StampOf(since)}
		if remote != "" {
			s.Remote = netip.MustParseAddrPort(remote)
		}
		return s
	}
	git := tcp("10.0.0.5:41822", "140.82.112.4:443", sampler.StateEstablished, 3001, "git", t0.Add(-20*time.Second))
	all := []sampler.Socket{
		tcp("0.0.0.0:22", "", sampler.StateListen, 812, "sshd", t0.Add(-time.Hour)),
		git,
		tcp("10.0.0.5:22", "10.0.0.9:41900", sampler.StateEstablished, 2040, "sshd", t0.Add(-5*time.Minute)),
	}
	var merger live.Merger
	m, err := ui.New(ui.Config{Feed: stillFeed{}, Host: "h", Ephemeral: ports.Range{Lo: 32768, Hi: 60999},
		Renderer: newRendererFor(io.Discard, true, "dumb"), Filter: "41822", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	var view tea.Model = m
	step := func(b live.Batch) { view, _ = view.Update(ui.BatchMsg{Batch: b}) }
	view, _ = view.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	ev := make([]sampler.Event, len(all))
	for i, s := range all {
		ev[i] = sampler.Event{Kind: sampler.Opened, Time: t0, Socket: s, Existing: true}
	}
	step(merger.Wide(sampler.Batch{Snapshot: sampler.Snapshot{Time: t0, Sockets: all}, Events: ev, Interval: time.Second, Samples: 1}))

	now = now.Add(9 * time.Second)
	_, ask := merger.Refocus(onePort(41822))
	if ask.Gen == 0 || !ask.Narrows() {
		t.Fatalf("the port filter asked for %+v, want a focus", ask)
	}
	seen := firstSeenOf(ask.Known, ask.Query)
	if got, ok := seen.Of(&git); !ok || !got.Equal(git.Since.Time()) {
		t.Fatalf("the focus was handed first seen %v (known %v) for %v, want the machine-wide %v", got, ok, git.Local, git.Since)
	}
	if seen.Len() != 1 {
		t.Errorf("the focus was handed %d first-seen times, want only the 1 socket the filter covers", seen.Len())
	}

	// The focus's own sampler, as runLive runs it, over a source that
	// knows nothing of first-seen times.
	src := &stepSource{steps: []sampler.Snapshot{
		{Time: now, Sockets: []sampler.Socket{git}},
		{Time: now.Add(3 * time.Second)},
	}}
	p := newFocusPoller(src, time.Hour, ask.Query, ask.Known)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = p.Run(ctx) }()
	first, err := p.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, ok := merger.Focused(ask.Gen, first)
	if !ok {
		t.Fatal("the focus's first batch was dropped")
	}
	rows := out.Focus.Sockets
	if len(rows) != 1 || !rows[0].Since.Time().Equal(git.Since.Time()) {
		t.Fatalf("the filtered view's socket: %+v, want first seen %v", rows, git.Since)
	}
	step(out)
	if age := sockettable.FormatAge(29 * time.Second); !strings.Contains(view.View(), age) {
		t.Errorf("the row should show AGE %s, as the machine-wide view would:\n%s", age, view.View())
	}

	p.(interface{ Poke() }).Poke()
	b, err := p.Next(ctx)
	for err == nil && len(b.Events) == 0 {
		b, err = p.Next(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Events) != 1 || b.Events[0].Kind != sampler.Closed || b.Events[0].Held != 32*time.Second {
		t.Errorf("events %+v, want one close held 32s", b.Events)
	}
}

// Narrowing a live focus further keeps what the focus being replaced had
// seen where earlier than the machine-wide view's (sampling slowly in the
// background meanwhile).
func TestFirstSeenOfKeepsTheEarlier(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	s := sampler.Socket{ID: sampler.ID{Cookie: 9, Proto: sampler.TCP, Local: netip.MustParseAddrPort("10.0.0.5:60716")}, State: sampler.StateEstablished}
	wide, focus := s, s
	wide.Since, focus.Since = sampler.StampOf(t0.Add(time.Second)), sampler.StampOf(t0)
	q := onePort(60716)
	seen := firstSeenOf(live.Known{Wide: []sampler.Socket{wide}, Focus: []sampler.Socket{focus}}, q)
	if got, ok := seen.Of(&s); !ok || !got.Equal(t0) {
		t.Errorf("first seen %v (known %v), want the focus's earlier %v", got, ok, t0)
	}
	if seen = firstSeenOf(live.Known{Focus: []sampler.Socket{focus}}, q); seen.Len() != 1 {
		t.Errorf("the replaced focus's sockets alone: %d known, want 1", seen.Len())
	}
}
