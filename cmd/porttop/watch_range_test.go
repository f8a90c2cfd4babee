package main

import (
	"bytes"
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/sampler/record"
)

// batchList is a feed of fixed batches; after the last it ends the stream.
type batchList struct {
	batches []sampler.Batch
	stop    context.CancelFunc
}

func (l *batchList) Next(ctx context.Context) (sampler.Batch, error) {
	if len(l.batches) == 0 {
		l.stop()
		return sampler.Batch{}, ctx.Err()
	}
	b := l.batches[0]
	l.batches = l.batches[1:]
	return b, nil
}

func handOutAt(port uint16, at time.Time) sampler.Event {
	s := sampler.Socket{
		ID: sampler.ID{Proto: sampler.TCP,
			Local:  netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port),
			Remote: netip.MustParseAddrPort("127.0.0.1:8080")},
		State: sampler.StateEstablished,
		Owner: sampler.Owner{UID: -1},
	}
	return sampler.Event{Kind: sampler.Opened, Time: at, Socket: s}
}

// TestWatchFollowsEphemeralRange is the auditor's repro as a stream: a
// watch started while the range was narrowed to 40000-40100 sees it
// restored. The range change line comes out, later events are judged
// os_ephemeral against the restored range, and the filter's "ephemeral"
// term, and the source's query, follow.
func TestWatchFollowsEphemeralRange(t *testing.T) {
	narrow, restored := ports.Range{Lo: 40000, Hi: 40100}, ports.Range{Lo: 32768, Hi: 60999}
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	w, err := record.NewWriter(&out, record.Header{OS: "linux", Ephemeral: narrow})
	if err != nil {
		t.Fatal(err)
	}
	f, err := parseFilter("watch", "ephemeral", narrow)
	if err != nil {
		t.Fatal(err)
	}
	var queries []sampler.Query
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	feed := &batchList{stop: cancel, batches: []sampler.Batch{
		{Ephemeral: sampler.EphemeralRange{Range: narrow, Since: t0},
			Events: []sampler.Event{handOutAt(40050, t0), handOutAt(32800, t0.Add(time.Second))}},
		{Ephemeral: sampler.EphemeralRange{Range: restored, Since: t0.Add(2 * time.Second)},
			Notes:  []string{"ephemeral range changed at 12:00:02: 40000-40100 -> 32768-60999"},
			Events: []sampler.Event{handOutAt(32801, t0.Add(3*time.Second))}},
		{Ephemeral: sampler.EphemeralRange{Range: restored, Since: t0.Add(2 * time.Second)},
			Events: []sampler.Event{handOutAt(32802, t0.Add(4*time.Second))}},
	}}
	var stderr bytes.Buffer
	s := streamer{filter: f, outs: []*record.Writer{w}, stdout: w, stderr: &stderr, said: map[string]bool{},
		follow: rangeFollower{text: "ephemeral", ephemeral: narrow, requery: func(q sampler.Query) { queries = append(queries, q) }}}
	if err := s.loop(ctx, feed); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")[1:]
	want := []string{
		`"local":"127.0.0.1:40050"`, // 32800 was outside the narrowed range: filtered out
		`{"time":"2026-11-26T12:00:02Z","ephemeral_range":[32768,60999]}`,
		`"local":"127.0.0.1:32801"`,
		`"local":"127.0.0.1:32802"`,
	}
	if len(lines) != len(want) {
		t.Fatalf("stream after the header:\n%s\nwant %d lines", strings.Join(lines, "\n"), len(want))
	}
	for i, l := range lines {
		if !strings.Contains(l, want[i]) {
			t.Errorf("line %d: %s\nwant it to hold %s", i+2, l, want[i])
		}
		if strings.Contains(l, `"event"`) && !strings.Contains(l, `"os_ephemeral":true`) {
			t.Errorf("line %d: %s is not os_ephemeral", i+2, l)
		}
	}
	wantQ := []sampler.PortRange{{Lo: 32768, Hi: 60999}}
	if len(queries) != 1 || !slices.Equal(queries[0].Ports, wantQ) {
		t.Errorf("queries asked again: %+v, want one for ports %v", queries, wantQ)
	}
	if !strings.Contains(stderr.String(), "porttop: ephemeral range changed at 12:00:02: 40000-40100 -> 32768-60999") {
		t.Errorf("stderr %q does not tell the change", stderr.String())
	}
}
