package record

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestReplayIsIdentical plays the committed loopback recording through the
// Player, one step at a time, and writes every event it hands the UI back in
// the stream format: the lines must be the recording's own, byte for byte,
// in the same order. A recording is only worth keeping if it replays as it
// was recorded.
func TestReplayIsIdentical(t *testing.T) {
	const path = "../../cmd/porttop/testdata/loopback.jsonl"
	rec, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); strings.Contains(l, `"event":`) {
			want = append(want, l)
		}
	}
	if len(want) == 0 || len(want) != len(rec.Events()) {
		t.Fatalf("recording has %d event lines, Load read %d events", len(want), len(rec.Events()))
	}

	p := NewPlayer(rec, 1)
	p.SetPaused(true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var got []string
	for len(got) < len(want) {
		p.Step()
		b, err := p.Next(ctx)
		if err != nil {
			t.Fatalf("after %d events: %v", len(got), err)
		}
		for _, e := range b.Events {
			line, err := MarshalEvent(e, rec.Header.Ephemeral)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, string(line))
		}
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d replays as\n%s\nrecorded as\n%s", i+1, got[i], want[i])
		}
	}
}
