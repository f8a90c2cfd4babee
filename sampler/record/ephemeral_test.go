package record

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

var narrowRange = ports.Range{Lo: 40000, Hi: 40100}

// handOut is a connection from local port port, opened at t0+ms.
func handOut(port string, ms int) sampler.Event {
	return sampler.Event{Kind: sampler.Opened, Time: t0.Add(time.Duration(ms) * time.Millisecond),
		Socket: sock(sampler.TCP, "127.0.0.1:"+port, "127.0.0.1:8080", sampler.StateEstablished, 0, "", -1)}
}

// rangeChangeStream is what `porttop watch` writes when the range is
// restored from 40000-40100 to 32768-60999 at t0+10ms, between two
// hand-outs in one batch, with a third in the next.
func rangeChangeStream(t *testing.T) string {
	t.Helper()
	var out bytes.Buffer
	w, err := NewWriter(&out, Header{OS: "linux", Ephemeral: narrowRange})
	if err != nil {
		t.Fatal(err)
	}
	restored := RangeChange{Time: t0.Add(10 * time.Millisecond), Range: linuxRange}
	if err := w.WriteWithRange([]sampler.Event{handOut("40050", 0), handOut("32800", 20)}, restored); err != nil {
		t.Fatal(err)
	}
	if got := w.Ephemeral(); got != linuxRange {
		t.Errorf("writer judges by %v after the change, want %v", got, linuxRange)
	}
	// The next batch carries the same range: no second line.
	if err := w.WriteWithRange([]sampler.Event{handOut("32801", 30)}, restored); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestWriterRangeChangeLine(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(rangeChangeStream(t), "\n"), "\n")
	want := []string{
		`{"porttop":1,"os":"linux","ephemeral_range":[40000,40100],"interval_ms":0}`,
		`{"time":"2026-11-26T03:43:09.123456789Z","event":"open","proto":"tcp","local":"127.0.0.1:40050","remote":"127.0.0.1:8080","state":"ESTABLISHED","range":"registered","os_ephemeral":true}`,
		`{"time":"2026-11-26T03:43:09.133456789Z","ephemeral_range":[32768,60999]}`,
		`{"time":"2026-11-26T03:43:09.143456789Z","event":"open","proto":"tcp","local":"127.0.0.1:32800","remote":"127.0.0.1:8080","state":"ESTABLISHED","range":"registered","os_ephemeral":true}`,
		`{"time":"2026-11-26T03:43:09.153456789Z","event":"open","proto":"tcp","local":"127.0.0.1:32801","remote":"127.0.0.1:8080","state":"ESTABLISHED","range":"registered","os_ephemeral":true}`,
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d\n got %s\nwant %s", i+1, lines[i], want[i])
		}
	}
}

func TestWriterWithoutRangeChangesNothing(t *testing.T) {
	var out bytes.Buffer
	w, _ := NewWriter(&out, Header{OS: "linux", Ephemeral: narrowRange})
	// A feed that does not read the range (zero) and one that read the same.
	_ = w.WriteWithRange([]sampler.Event{handOut("32800", 0)}, RangeChange{})
	_ = w.WriteWithRange([]sampler.Event{handOut("32801", 1)}, RangeChange{Time: t0, Range: narrowRange})
	if s := out.String(); strings.Count(s, "ephemeral_range") != 1 || strings.Contains(s, `"os_ephemeral":true`) {
		t.Errorf("stream:\n%s", s)
	}
	if _, err := MarshalRangeChange(RangeChange{Time: t0}); err == nil {
		t.Error("a range change to the zero range was written")
	}
}

func TestReaderAppliesRangeChange(t *testing.T) {
	r, err := NewReader(strings.NewReader(rangeChangeStream(t)))
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Ephemeral(); c.Range != narrowRange || !c.Time.IsZero() {
		t.Errorf("before any line: %+v, want the header's %v", c, narrowRange)
	}
	want := []RangeChange{
		{Range: narrowRange},
		{Time: t0.Add(10 * time.Millisecond), Range: linuxRange},
		{Time: t0.Add(10 * time.Millisecond), Range: linuxRange},
	}
	for i, w := range want {
		e, err := r.Next()
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if c := r.Ephemeral(); c.Range != w.Range || !c.Time.Equal(w.Time) {
			t.Errorf("after event %d (%s): range %+v, want %+v", i, e.Socket.Local, c, w)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("end: %v", err)
	}
}

func TestReaderRejectsBadRangeChange(t *testing.T) {
	cases := map[string]string{
		`{"time":"2026-11-26T03:43:10Z","ephemeral_range":[60999,32768]}`: "line 2: ephemeral_range [60999,32768] is backwards",
		`{"time":"yesterday","ephemeral_range":[1024,2047]}`:              `line 2: time "yesterday" is not an RFC 3339 time`,
	}
	for line, want := range cases {
		r, err := NewReader(strings.NewReader(hdrLine + line + "\n" + openLine))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Next(); err == nil || err.Error() != want {
			t.Errorf("%s: error %v, want %q", line, err, want)
		}
		// Cut short at the end of a recording, it ends the stream quietly.
		r, _ = NewReader(strings.NewReader(hdrLine + openLine + line[:len(line)-5]))
		if _, err := r.Next(); err != nil {
			t.Errorf("first event: %v", err)
		}
		if _, err := r.Next(); err != io.EOF {
			t.Errorf("cut %s: %v, want EOF", line, err)
		}
	}
	// A header line met again (two recordings concatenated) is no range change.
	r, _ := NewReader(strings.NewReader(hdrLine + `{"porttop":1,"os":"linux","ephemeral_range":[1024,2047],"interval_ms":0}` + "\n" + openLine))
	if _, err := r.Next(); err != nil || r.Ephemeral().Range != linuxRange {
		t.Errorf("after a second header: %v, range %v", err, r.Ephemeral().Range)
	}
}

func TestReplayFollowsRangeChange(t *testing.T) {
	stream := rangeChangeStream(t)
	// A repeated line and one back to the range in force add nothing.
	stream += `{"time":"2026-11-26T03:43:09.163456789Z","ephemeral_range":[32768,60999]}` + "\n"
	rec, err := Load(strings.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Ranges) != 1 || rec.Ranges[0] != (RangeChange{Time: t0.Add(10 * time.Millisecond), Range: linuxRange}) {
		t.Fatalf("Ranges = %+v", rec.Ranges)
	}
	p := NewPlayer(rec, 1)
	p.SetPaused(true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	step := func() sampler.Batch {
		t.Helper()
		p.Step()
		b, err := p.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	note := "ephemeral range changed at " + t0.Add(10*time.Millisecond).Local().Format("15:04:05") + ": 40000-40100 -> 32768-60999"
	b := step()
	if b.Ephemeral.Range != narrowRange || hasNote(b.Notes, note) {
		t.Errorf("first event: range %v, notes %q; want %v and no change note", b.Ephemeral.Range, b.Notes, narrowRange)
	}
	b = step()
	if b.Ephemeral.Range != linuxRange || !b.Ephemeral.Since.Equal(t0.Add(10*time.Millisecond)) || !hasNote(b.Notes, note) {
		t.Errorf("second event: %+v, notes %q; want %v since +10ms and %q", b.Ephemeral, b.Notes, linuxRange, note)
	}
	p.Restart()
	if b = step(); b.Ephemeral.Range != narrowRange {
		t.Errorf("after restart: range %v, want %v", b.Ephemeral.Range, narrowRange)
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
