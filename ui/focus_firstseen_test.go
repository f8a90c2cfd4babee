package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/poll"
	"github.com/porttop/porttop/ui/sockettable"
)

// steppedSource returns its steps in order, each a fresh copy without
// Since, as a kernel source does; the last repeats.
type steppedSource struct {
	mu    sync.Mutex
	steps []sampler.Snapshot
}

func (s *steppedSource) Name() string { return "stepped" }
func (s *steppedSource) Sample(context.Context) (sampler.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.steps[0]
	if len(s.steps) > 1 {
		s.steps = s.steps[1:]
	}
	socks := make([]sampler.Socket, len(st.Sockets))
	for i, k := range st.Sockets {
		k.Since = time.Time{}
		socks[i] = k
	}
	return sampler.Snapshot{Time: st.Time, Sockets: socks}, nil
}

// The audit's repro: a connection the machine-wide view has known for 20 s;
// 9 s later a port filter starts the filtered view's own sampler. Its age
// must carry on (29 s, not 0), and so must the held time when it closes.
func TestPortFilterKeepsTheAgeTheWideViewKnew(t *testing.T) {
	m, focus, c := newFocusModelClock(t)
	c.advance(9 * time.Second)
	m = applyFilter(t, m, "41822")
	if len(focus.asked) != 1 {
		t.Fatalf("focus asked %d times, want once", len(focus.asked))
	}
	ask := focus.asked[0]
	git := baseSockets()[3] // 10.0.0.5:41822, first seen 20 s before t0
	if got, ok := ask.seen.Of(&git); !ok || !got.Equal(git.Since) {
		t.Fatalf("the focus was handed first seen %v (known %v) for %v, want the machine-wide %v", got, ok, git.Local, git.Since)
	}
	if ask.seen.Len() != 1 {
		t.Errorf("the focus was handed %d first-seen times, want only the 1 socket the filter covers", ask.seen.Len())
	}

	// The focus's own sampler, as cmd/porttop runs it, over a source that
	// knows nothing of first-seen times.
	src := &steppedSource{steps: []sampler.Snapshot{
		{Time: c.t, Sockets: []sampler.Socket{git}},
		{Time: c.t.Add(3 * time.Second)},
	}}
	p := poll.New(poll.Config{Source: src, Interval: time.Hour, FirstSeen: ask.seen})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = p.Run(ctx) }()
	first, err := p.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m = update(m, focusBatchMsg{FocusBatch{Gen: ask.gen, Batch: first}})
	rows := m.viewSockets()
	if len(rows) != 1 || !rows[0].Since.Equal(git.Since) {
		t.Fatalf("the filtered view's socket: %+v, want first seen %v", rows, git.Since)
	}
	if age := sockettable.FormatAge(29 * time.Second); !strings.Contains(m.View(), age) {
		t.Errorf("the row should show AGE %s, as the machine-wide view would:\n%s", age, m.View())
	}

	p.Poke()
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

// Narrowing a live focus further (a new focus, a new sampler) keeps what
// the focus being replaced had seen, which the machine-wide view, sampling
// slowly in the background meanwhile, may not have.
func TestRefocusKeepsWhatTheFocusSaw(t *testing.T) {
	m, focus := newFocusModel(t)
	m = applyFilter(t, m, "60000-61000")
	only := port60716() // seen by the focus alone, since t0
	m = update(m, focusBatch(focus.asked[0].gen, only))
	m = update(m, keys("/")...) // the bar opens on the filter in force
	for range len("60000-61000") {
		m = update(m, tea.KeyMsg{Type: tea.KeyBackspace})
	}
	m = update(m, keys("60716")...)
	run(t, m, enter())
	if len(focus.asked) != 2 {
		t.Fatalf("focus asked %d times, want a second focus for the narrower filter", len(focus.asked))
	}
	last := focus.asked[1]
	if last.q.Ports[0] != (sampler.PortRange{Lo: 60716, Hi: 60716}) {
		t.Fatalf("second focus on %+v, want 60716", last.q)
	}
	if got, ok := last.seen.Of(&only); !ok || !got.Equal(only.Since) {
		t.Errorf("the new focus was handed first seen %v (known %v), want %v from the focus it replaced", got, ok, only.Since)
	}
}

// A filter that does not narrow stops the focus: nothing to hand over.
func TestNoFirstSeenForAFilterThatDoesNotNarrow(t *testing.T) {
	m, focus := newFocusModel(t)
	applyFilter(t, m, "sshd")
	if len(focus.asked) != 1 || focus.asked[0].seen.Len() != 0 || Narrows(focus.asked[0].q) {
		t.Errorf("asked %+v, want a stop with no first-seen times", focus.asked)
	}
}
