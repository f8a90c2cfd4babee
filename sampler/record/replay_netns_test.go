package record

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// A replay gives the other namespaces' ranges as a live feed does
// (Batch.NetnsRanges): each namespace's last range line at or before the
// recorded time, from the lines `porttop watch` wrote, so the view judges
// a replayed namespace's sockets against its own range, as live. A
// restart goes back to the ranges of the start.
func TestReplayPlaysNetnsRanges(t *testing.T) {
	var out bytes.Buffer
	w, err := NewWriter(&out, Header{OS: "linux", Ephemeral: linuxRange})
	if err != nil {
		t.Fatal(err)
	}
	blue := ports.Range{Lo: 1000, Hi: 1999}
	wider := ports.Range{Lo: 1000, Hi: 2999}
	red := ports.Range{Lo: 61000, Hi: 61999}
	steps := []struct {
		ms     int
		ranges []sampler.NetnsRange
		events []sampler.Event
	}{
		{0, []sampler.NetnsRange{{Netns: 11, NetnsName: "blue", Range: blue}}, []sampler.Event{inNetns("1500", 1, 11, "blue")}},
		{2, []sampler.NetnsRange{{Netns: 11, NetnsName: "blue", Range: blue}, {Netns: 12, Range: red}}, []sampler.Event{inNetns("61500", 3, 12, "")}},
		{10, []sampler.NetnsRange{{Netns: 11, NetnsName: "blue", Range: wider}, {Netns: 12, Range: red}}, []sampler.Event{inNetns("2500", 11, 11, "blue")}},
	}
	for _, s := range steps {
		if err := w.WriteNetnsRanges(t0.Add(time.Duration(s.ms)*time.Millisecond), s.ranges); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(s.events); err != nil {
			t.Fatal(err)
		}
	}
	rec, err := Load(&out)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.NetnsRanges) != 3 {
		t.Fatalf("loaded %d namespace range lines, want 3: %+v", len(rec.NetnsRanges), rec.NetnsRanges)
	}
	want := [][]sampler.NetnsRange{
		{{Netns: 11, NetnsName: "blue", Range: blue}},
		{{Netns: 11, NetnsName: "blue", Range: blue}, {Netns: 12, Range: red}},
		{{Netns: 11, NetnsName: "blue", Range: wider}, {Netns: 12, Range: red}},
	}
	p := NewPlayer(rec, 1)
	p.SetPaused(true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for round := range 2 {
		for i := range want {
			p.Step()
			b, err := p.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Events) != 1 {
				t.Fatalf("round %d step %d: %d events, want 1", round, i, len(b.Events))
			}
			if !sameRanges(b.NetnsRanges, want[i]) {
				t.Errorf("round %d, after the event at %v: NetnsRanges %+v, want %+v", round, b.Events[0].Time.Sub(t0), b.NetnsRanges, want[i])
			}
			// The replayed socket is judged against its namespace's range.
			s := b.Events[0].Socket
			if r := sampler.RangeOf(b.NetnsRanges, s.Netns, linuxRange); !r.Contains(s.Local.Port()) {
				t.Errorf("round %d step %d: port %d of netns %d judged against %v", round, i, s.Local.Port(), s.Netns, r)
			}
		}
		p.Restart()
	}
}

func sameRanges(a, b []sampler.NetnsRange) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// `porttop view` follows a stream's namespace range lines as they arrive:
// its batches carry them (NetnsRanges) as a live feed's do, and porttop's
// own range stays the header's.
func TestFollowerTakesNetnsRanges(t *testing.T) {
	w0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	hdr, _ := ParseHeader([]byte(strings.TrimSpace(hostHdr)))
	f := newFollower(hdr, w0)
	blueLn := `{"time":"2026-11-26T03:43:09Z","netns_ephemeral_range":[1000,1999],"netns":11,"netns_name":"blue"}` + "\n"
	wideLn := `{"time":"2026-11-26T03:43:10Z","netns_ephemeral_range":[1000,2999],"netns":11,"netns_name":"blue"}` + "\n"
	its := items(t, blueLn+openLine+wideLn)
	if len(its) != 3 || its[0].Netns == nil || its[2].Netns == nil {
		t.Fatalf("items %+v: want the namespace lines surfaced", its)
	}
	f.add(its[0], w0)
	f.add(its[1], w0)
	b := f.batch(w0, nil)
	want := []sampler.NetnsRange{{Netns: 11, NetnsName: "blue", Range: ports.Range{Lo: 1000, Hi: 1999}}}
	if !sameRanges(b.NetnsRanges, want) || b.Ephemeral.Range != linuxRange {
		t.Errorf("first batch: NetnsRanges %+v, range %v; want %+v, %v", b.NetnsRanges, b.Ephemeral.Range, want, linuxRange)
	}
	f.add(its[2], w0.Add(time.Second))
	b = f.batch(w0.Add(time.Second), nil)
	want[0].Range.Hi = 2999
	if !sameRanges(b.NetnsRanges, want) {
		t.Errorf("after blue widened: NetnsRanges %+v, want %+v", b.NetnsRanges, want)
	}
}
