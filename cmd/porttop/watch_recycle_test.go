package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/sampler/record"
)

// recyclingList is a batchList that takes events back, as the poller does.
type recyclingList struct {
	batchList
	back [][]sampler.Event
}

func (l *recyclingList) RecycleEvents(ev []sampler.Event) { l.back = append(l.back, ev) }

// watch hands each batch's events back once they are written (the poller
// fills them again: a new slice per batch was its largest allocation
// under churn), with a filter (the events written are a copy) and
// without (they are the batch's own), and writes every event first.
func TestWatchHandsEventsBackOnceWritten(t *testing.T) {
	for _, filter := range []string{"", "40051"} {
		t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		var out bytes.Buffer
		w, err := record.NewWriter(&out, record.Header{OS: "linux"})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		batches := []sampler.Batch{
			{Events: []sampler.Event{handOutAt(40050, t0), handOutAt(40051, t0)}},
			{Events: []sampler.Event{handOutAt(40051, t0.Add(time.Second))}},
		}
		feed := &recyclingList{batchList: batchList{stop: cancel, batches: slices.Clone(batches)}}
		s := streamer{outs: []*record.Writer{w}, stdout: w, stderr: &bytes.Buffer{}, said: map[string]bool{}}
		if filter != "" {
			f, err := parseFilter("watch", filter, ports.Range{})
			if err != nil {
				t.Fatal(err)
			}
			s.filter = f
		}
		if err := s.loop(ctx, feed); err != nil {
			t.Fatal(err)
		}
		if len(feed.back) != len(batches) {
			t.Fatalf("filter %q: %d batches' events handed back, want %d", filter, len(feed.back), len(batches))
		}
		for i, b := range batches {
			if &feed.back[i][0] != &b.Events[0] {
				t.Errorf("filter %q: batch %d: a slice handed back that is not its events", filter, i)
			}
		}
		lines := strings.Count(out.String(), `"event"`)
		want := 3
		if filter != "" {
			want = 2
		}
		if lines != want {
			t.Errorf("filter %q: %d events written, want %d:\n%s", filter, lines, want, out.String())
		}
	}
}
