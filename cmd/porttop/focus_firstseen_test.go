package main

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// The view hands a new focus the first-seen times it knew: the focus's
// first sample keeps them rather than stamp its own time.
func TestFocusFeedKeepsFirstSeenTimes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := newFocusFeed(ctx, func() (sampler.Source, error) { return &narrowingSource{}, nil }, 10*time.Millisecond, nil)
	defer func() { cancel(); f.Wait() }()

	q := onePort(8765)
	// As the machine-wide view knew it (narrowingSource reports cookie 1).
	listener := sampler.Socket{ID: sampler.ID{Cookie: 1, Proto: sampler.TCP,
		Local: netip.MustParseAddrPort("127.0.0.1:8765")}, State: sampler.StateListen}
	listener.Since = time.Now().Add(-17 * time.Second)
	f.FocusFrom(1, q, sampler.FirstSeenOf([]sampler.Socket{listener}, q))
	b, ok := nextWithin(t, f, 5*time.Second)
	if !ok || len(b.Batch.Snapshot.Sockets) != 1 {
		t.Fatalf("first focused batch: %+v (ok %v)", b, ok)
	}
	if got := b.Batch.Snapshot.Sockets[0].Since; !got.Equal(listener.Since) {
		t.Errorf("the focus's first sample stamped since %v, want %v from the machine-wide view", got, listener.Since)
	}

	// Focus alone knows nothing: the sample's own time, as before.
	f.Focus(2, q)
	for {
		b, ok = nextWithin(t, f, 5*time.Second)
		if !ok {
			t.Fatal("no batch after refocusing")
		}
		if b.Gen == 2 {
			break
		}
	}
	if got := b.Batch.Snapshot.Sockets[0].Since; !got.After(listener.Since.Add(16 * time.Second)) {
		t.Errorf("a focus without first-seen times stamped since %v, want its own sample's time", got)
	}
}
