package record

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

const (
	hostHdr   = `{"porttop":1,"os":"linux","ephemeral_range":[32768,60999],"interval_ms":500,"host":"web1","started":"2026-11-26T03:43:08Z","source":"netlink"}` + "\n"
	closeLine = `{"time":"2026-11-26T03:43:11Z","event":"close","proto":"tcp","local":"127.0.0.1:60716","remote":"127.0.0.1:8080","state":"ESTABLISHED","range":"dynamic","os_ephemeral":true,"held_ms":2000}` + "\n"
	stats1    = `{"time":"2026-11-26T03:43:10Z","stats":{"sockets":1,"reported_opens":3,"reported_tcp_opens":3,"dropped":0,"kernel_active_opens":2,"kernel_passive_opens":1}}` + "\n"
	stats2    = `{"time":"2026-11-26T03:43:11Z","stats":{"sockets":0,"reported_opens":5,"reported_tcp_opens":5,"dropped":1,"kernel_active_opens":4,"kernel_passive_opens":2}}` + "\n"
	rangeLn   = `{"time":"2026-11-26T03:43:12Z","ephemeral_range":[40000,40100]}` + "\n"
)

func TestNextItemSurfacesEveryKind(t *testing.T) {
	rd, err := NewReader(strings.NewReader(hostHdr + stats1 + openLine + `{"time":"2026-11-26T03:43:10Z","future":{}}` + "\n" + rangeLn))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for {
		it, err := rd.NextItem()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case it.Event != nil:
			kinds = append(kinds, "event")
		case it.Stats != nil:
			kinds = append(kinds, "stats")
		case it.Range != nil:
			kinds = append(kinds, "range")
		}
	}
	if got := strings.Join(kinds, ","); got != "stats,event,range" {
		t.Errorf("items %s, want stats,event,range (the unknown line skipped)", got)
	}
	if rd.Ephemeral().Range.Lo != 40000 || rd.LastStats() == nil {
		t.Errorf("the reader's state after NextItem: range %v, stats %v", rd.Ephemeral(), rd.LastStats())
	}
}

func items(t *testing.T, text string) []Item {
	t.Helper()
	rd, err := NewReader(strings.NewReader(hostHdr + text))
	if err != nil {
		t.Fatal(err)
	}
	var out []Item
	for {
		it, err := rd.NextItem()
		if err != nil {
			return out
		}
		out = append(out, it)
	}
}

// A script: lines arrive, batches are taken, the stream falls silent and
// ends.
func TestFollowerScript(t *testing.T) {
	w0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC) // this machine's clock, unrelated to the stream's
	hdr, _ := ParseHeader([]byte(strings.TrimSpace(hostHdr)))
	f := newFollower(hdr, w0)
	its := items(t, stats1+openLine+stats2+closeLine+rangeLn)

	f.add(its[0], w0.Add(time.Second)) // stats
	f.add(its[1], w0.Add(time.Second)) // open
	b := f.batch(w0.Add(time.Second), []string{"live from web1"})
	if len(b.Snapshot.Sockets) != 1 || len(b.Events) != 1 || b.Source != "stream of netlink" || b.Interval != 500*time.Millisecond {
		t.Fatalf("first batch: %d sockets, %d events, source %q, interval %v", len(b.Snapshot.Sockets), len(b.Events), b.Source, b.Interval)
	}
	if b.Kernel == nil || b.Kernel.ActiveOpens != 2 || b.ReportedTCPAtKernel != 0 {
		t.Errorf("first stats: kernel %+v reported %d, want the counts as the baseline and 0 reported since", b.Kernel, b.ReportedTCPAtKernel)
	}
	if len(b.Notes) != 1 {
		t.Errorf("a flowing stream's notes: %q", b.Notes)
	}

	f.add(its[2], w0.Add(2*time.Second)) // stats a second later
	f.add(its[3], w0.Add(2*time.Second)) // close
	b = f.batch(w0.Add(2*time.Second), nil)
	if len(b.Snapshot.Sockets) != 0 || b.Kernel.ActiveOpens != 4 || b.ReportedTCPAtKernel != 2 || b.Dropped != 1 {
		t.Errorf("second batch: %d sockets, kernel %+v, reported %d, dropped %d", len(b.Snapshot.Sockets), b.Kernel, b.ReportedTCPAtKernel, b.Dropped)
	}
	// The stream's clock: its newest time (03:43:11) run on by this machine's.
	if got := f.clock(w0.Add(2500 * time.Millisecond)); !got.Equal(time.Date(2026, 11, 26, 3, 43, 11, 500e6, time.UTC)) {
		t.Errorf("stream clock %v", got)
	}

	// Stats came a second apart: three missed, and more than StallAfter, is a stall.
	if n := f.health(w0.Add(4 * time.Second)); n != "" {
		t.Errorf("2s of silence with stats every 1s: %q", n)
	}
	if n := f.health(w0.Add(7 * time.Second)); !strings.Contains(n, "web1 stalled: nothing for 5s") {
		t.Errorf("5s of silence: %q, want a stall", n)
	}

	f.add(its[4], w0.Add(8*time.Second)) // range change
	if b = f.batch(w0.Add(8*time.Second), nil); b.Ephemeral.Range.Lo != 40000 {
		t.Errorf("after the range change: %+v", b.Ephemeral)
	}
	f.end(nil, w0.Add(9*time.Second))
	b = f.batch(w0.Add(20*time.Second), nil)
	if len(b.Notes) != 1 || b.Notes[0] != "stream from web1 ended at 09:00:09" {
		t.Errorf("ended: notes %q", b.Notes)
	}
	if !f.clock(w0.Add(time.Hour)).Equal(f.clock(w0.Add(9 * time.Second))) {
		t.Errorf("the stream clock runs on after the end")
	}
}

func TestFollowerQuietWithoutStats(t *testing.T) {
	w0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	f := newFollower(Header{}, w0)
	if n := f.health(w0.Add(10 * time.Second)); n != "" {
		t.Errorf("10s quiet without stats: %q", n)
	}
	if n := f.health(w0.Add(40 * time.Second)); !strings.Contains(n, "stream silent for 40s") {
		t.Errorf("40s quiet: %q", n)
	}
	f.end(errors.New(`line 9: not JSON`), w0.Add(41*time.Second))
	if n := f.health(w0.Add(42 * time.Second)); n != "stream broke at 09:00:41: line 9: not JSON" {
		t.Errorf("broken: %q", n)
	}
}

// Follow over a pipe: a line written shows in the next batch, and the
// writer closing ends the stream.
func TestFollowOverPipe(t *testing.T) {
	pr, pw := io.Pipe()
	go func() { _, _ = io.WriteString(pw, hostHdr) }()
	rd, err := NewReader(pr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fl := NewFollow(ctx, rd, "live")
	if fl.Header().Host != "web1" {
		t.Errorf("header host %q", fl.Header().Host)
	}
	go func() { _, _ = io.WriteString(pw, openLine) }()
	var b sampler.Batch
	for len(b.Snapshot.Sockets) == 0 {
		if b, err = fl.Next(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if b.Snapshot.Sockets[0].Local.Port() != 60716 {
		t.Errorf("socket %v", b.Snapshot.Sockets[0])
	}
	pw.Close()
	for !strings.Contains(strings.Join(b.Notes, "|"), "ended") {
		if b, err = fl.Next(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(b.Snapshot.Sockets) != 1 {
		t.Errorf("the table after the end: %d sockets, want the last one kept", len(b.Snapshot.Sockets))
	}
}

func TestFollowerEscapesHost(t *testing.T) {
	f := newFollower(Header{Host: "web1\x1b]0;pwned\a"}, time.Now())
	if f.name != `stream from web1\x1b]0;pwned\a` {
		t.Errorf("name %q: the host's control characters reach the terminal", f.name)
	}
}
