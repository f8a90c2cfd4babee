package main

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/sampler/poll"
)

// tableSource samples the same table every time, a copy each.
type tableSource struct{ sockets []sampler.Socket }

func (s *tableSource) Name() string { return "table" }

func (s *tableSource) Sample(context.Context) (sampler.Snapshot, error) {
	return sampler.Snapshot{Time: time.Now(), Sockets: slices.Clone(s.sockets)}, nil
}

// TestLiveTakesTheFirstSampleInParts: the live view's machine-wide
// poller, through its feed, hands the first sample's opens out a part at
// a time (issue 14: at 100k sockets the one batch of them was 24 MB of
// events, and the view kept a copy of every socket besides), every one of
// them before any later batch, the table with each part.
func TestLiveTakesTheFirstSampleInParts(t *testing.T) {
	const n = 100_000
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	sockets := make([]sampler.Socket, n)
	for i := range sockets {
		sockets[i] = sampler.Socket{
			ID:    sampler.ID{Cookie: uint64(i + 1), Proto: sampler.TCP, Local: netip.AddrPortFrom(lo, uint16(1024+i%60000)), Remote: netip.AddrPortFrom(lo, uint16(80+i/60000))},
			State: sampler.StateEstablished, Owner: sampler.Owner{UID: -1},
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	poller, wait := startPoller(ctx, liveWide(poll.Config{Source: &tableSource{sockets}, Interval: time.Hour}), nil)
	feed := live.NewFeed(ctx, live.Config{Wide: poller, TakenEvery: poller.SetTakenEvery})
	defer func() { cancel(); wait(); feed.Wait() }()
	opens, most, batches := 0, 0, 0
	for opens < n {
		b, err := feed.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		w := b.Wide
		if w == nil {
			t.Fatalf("batch %d is not the machine-wide poller's", batches)
		}
		batches++
		most = max(most, len(w.Events))
		for i := range w.Events {
			if !w.Events[i].Existing {
				t.Fatalf("batch %d: a later event before the first sample's last open (%d of %d in)", batches, opens, n)
			}
			opens++
		}
		if len(w.Snapshot.Sockets) != n {
			t.Fatalf("batch %d carries a table of %d sockets, want %d", batches, len(w.Snapshot.Sockets), n)
		}
		if w.ExistingToCome != (opens < n) {
			t.Fatalf("batch %d: ExistingToCome %v with %d of %d opens in", batches, w.ExistingToCome, opens, n)
		}
		feed.Recycle(w.Snapshot)
		feed.RecycleEvents(w.Events)
	}
	size := int(unsafe.Sizeof(sampler.Event{}))
	t.Logf("%d opens in %d batches, at most %d a batch (%.1f MB)", opens, batches, most, float64(most*size)/(1<<20))
	if most > poll.ExistingPart {
		t.Errorf("a batch carried %d opens (%.1f MB), want at most %d a part", most, float64(most*size)/(1<<20), poll.ExistingPart)
	}
}
