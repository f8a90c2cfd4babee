package poll

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// fakeRange stands in for ip_local_port_range: the test sets what the next
// read gives (never the real sysctl).
type fakeRange struct {
	mu  sync.Mutex
	r   ports.Range
	err error
}

func (f *fakeRange) set(r ports.Range, err error) {
	f.mu.Lock()
	f.r, f.err = r, err
	f.mu.Unlock()
}

func (f *fakeRange) read() (ports.Range, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.r, f.err
}

var (
	narrowRange  = ports.Range{Lo: 40000, Hi: 40100}
	defaultRange = ports.Range{Lo: 32768, Hi: 60999}
)

// TestPollerFollowsEphemeralRange: the range read at the start goes out
// with every batch; a change goes out at once, with when it was seen and a
// note for the header; a failed read keeps the range known.
func TestPollerFollowsEphemeralRange(t *testing.T) {
	fr := &fakeRange{r: narrowRange}
	now := at(1000)
	p, _ := newTestPoller(t, Config{Ephemeral: fr.read, Now: func() time.Time { return now }},
		ok(snap(t, at(0), sockA)), ok(snap(t, at(1), sockA, sockB)))
	_, stop := p.followEphemeral()
	defer stop()
	p.sample(context.Background())
	b := take(t, p)
	if b.Ephemeral.Range != narrowRange {
		t.Fatalf("first batch carries range %v, want %v", b.Ephemeral.Range, narrowRange)
	}
	for _, n := range b.Notes {
		if strings.Contains(n, "ephemeral range changed") {
			t.Errorf("the first read is no change, but a note says %q", n)
		}
	}

	fr.set(defaultRange, nil)
	now = at(1001)
	p.checkEphemeral()
	b = take(t, p) // published without waiting for a sample
	if b.Ephemeral.Range != defaultRange || !b.Ephemeral.Since.Equal(at(1001)) {
		t.Fatalf("after the change the batch carries %+v, want %v since %v", b.Ephemeral, defaultRange, at(1001))
	}
	if b.Samples != 0 || len(b.Events) != 0 {
		t.Errorf("the change batch should carry no sample: samples %d, events %d", b.Samples, len(b.Events))
	}
	if len(b.Snapshot.Sockets) != 1 {
		t.Errorf("the change batch should keep the last table (1 socket), has %d", len(b.Snapshot.Sockets))
	}
	wantNote := "ephemeral range changed at " + at(1001).Local().Format("15:04:05") + ": 40000-40100 -> 32768-60999"
	if !hasNote(b.Notes, wantNote) {
		t.Errorf("notes %q lack %q", b.Notes, wantNote)
	}

	// Later batches keep the range; a failed or nonsense read changes nothing.
	fr.set(ports.Range{}, errors.New("permission denied"))
	now = at(1002)
	p.checkEphemeral()
	fr.set(ports.Range{}, nil)
	p.checkEphemeral()
	p.sample(context.Background())
	b = take(t, p)
	if b.Ephemeral.Range != defaultRange || !b.Ephemeral.Since.Equal(at(1001)) {
		t.Errorf("after failed reads and a sample the batch carries %+v, want %v since %v", b.Ephemeral, defaultRange, at(1001))
	}
	if !hasNote(b.Notes, wantNote) {
		t.Errorf("a second later the note should still be there: %q", b.Notes)
	}

	// The note goes once it is old; the range stays.
	now = at(1001).Add(ephemeralNoteFor)
	p.sample(context.Background())
	b = take(t, p)
	if hasNote(b.Notes, wantNote) || b.Ephemeral.Range != defaultRange {
		t.Errorf("a minute on: notes %q, range %v", b.Notes, b.Ephemeral.Range)
	}
}

func hasNote(notes []string, want string) bool {
	for _, n := range notes {
		if n == want {
			return true
		}
	}
	return false
}

// TestPollerWithoutEphemeralReader: a poller not asked to follow the range
// (the filtered view's, tests) carries none, so consumers keep theirs.
func TestPollerWithoutEphemeralReader(t *testing.T) {
	p, _ := newTestPoller(t, Config{}, ok(snap(t, at(0), sockA)))
	tick, stop := p.followEphemeral()
	defer stop()
	if tick != nil {
		t.Error("a ticker runs with no reader")
	}
	p.checkEphemeral()
	p.sample(context.Background())
	if b := take(t, p); b.Ephemeral != (sampler.EphemeralRange{}) {
		t.Errorf("batch carries %+v", b.Ephemeral)
	}
}

// TestPollerRunRereadsEphemeralRange drives the real loop: with a sample
// an hour away, the change still arrives through Next, from the ticker.
func TestPollerRunRereadsEphemeralRange(t *testing.T) {
	fr := &fakeRange{r: narrowRange}
	src := &scriptedSource{steps: []scriptStep{ok(snap(t, at(0), sockA))}}
	p := New(Config{Source: src, Interval: time.Hour, Ephemeral: fr.read})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- p.Run(ctx) }()
	b, err := p.Next(ctx)
	if err != nil || b.Ephemeral.Range != narrowRange {
		t.Fatalf("first batch: range %v, %v; want %v", b.Ephemeral.Range, err, narrowRange)
	}
	fr.set(defaultRange, nil)
	for b.Ephemeral.Range != defaultRange {
		if b, err = p.Next(ctx); err != nil {
			t.Fatalf("the changed range never arrived: %v", err)
		}
	}
	if !hasNote(b.Notes, "ephemeral range changed at "+b.Ephemeral.Since.Local().Format("15:04:05")+": 40000-40100 -> 32768-60999") {
		t.Errorf("notes %q", b.Notes)
	}
	cancel()
	if err := <-ran; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestPollerReadsEphemeralRangeBeforeEachSample: a range restored just
// before a sample is the one that sample's hand-outs go out with, not one
// read up to a second later (the stream judged them outside the range).
func TestPollerReadsEphemeralRangeBeforeEachSample(t *testing.T) {
	fr := &fakeRange{r: narrowRange}
	now := at(1000)
	p, _ := newTestPoller(t, Config{Ephemeral: fr.read, Now: func() time.Time { return now }},
		ok(snap(t, at(1000), sockA)), ok(snap(t, at(1001), sockA, sockB)))
	_, stop := p.followEphemeral()
	defer stop()
	p.sample(context.Background())
	take(t, p)
	fr.set(defaultRange, nil)
	now = at(1001)
	p.sample(context.Background())
	b := take(t, p)
	if b.Ephemeral.Range != defaultRange || !b.Ephemeral.Since.Equal(at(1001)) {
		t.Errorf("the sample's batch carries %+v, want %v since the sample began (%v)", b.Ephemeral, defaultRange, at(1001))
	}
	wantKinds(t, b.Events, "open 127.0.0.1:40002")
	if len(b.Events) == 1 && b.Events[0].Time.Before(b.Ephemeral.Since) {
		t.Errorf("the hand-out at %v comes before the range it is judged by (%v)", b.Events[0].Time, b.Ephemeral.Since)
	}
}
