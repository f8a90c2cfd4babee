package record

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// recording of one connection, opened, established and closed, plus a
// listener that was there from the start; gaps of a few recorded ms so that
// replay at top speed takes no noticeable time.
func smallRecording() *Recording {
	lis := sock(sampler.TCP, "127.0.0.1:8080", "0.0.0.0:0", sampler.StateListen, 1, "srv", 0)
	c1 := sock(sampler.TCP, "127.0.0.1:50000", "127.0.0.1:8080", sampler.StateSynSent, 2, "cli", 0)
	c2 := c1
	c2.State = sampler.StateEstablished
	text := hdrLine
	var lines []string
	for _, e := range []sampler.Event{
		{Kind: sampler.Opened, Time: t0, Existing: true, Socket: lis},
		{Kind: sampler.Opened, Time: t0.Add(4 * time.Millisecond), Socket: c1},
		{Kind: sampler.StateChanged, Time: t0.Add(8 * time.Millisecond), Socket: c2, PrevState: sampler.StateSynSent},
		{Kind: sampler.Closed, Time: t0.Add(16 * time.Millisecond), Socket: c2, Held: 12 * time.Millisecond},
	} {
		b, err := MarshalEvent(e, linuxRange)
		if err != nil {
			panic(err)
		}
		lines = append(lines, string(b))
	}
	rec, err := Load(strings.NewReader(text + strings.Join(lines, "\n") + "\n"))
	if err != nil {
		panic(err)
	}
	return rec
}

func TestLoadFillsSince(t *testing.T) {
	rec := smallRecording()
	if len(rec.Events()) != 4 {
		t.Fatalf("loaded %d events, want 4", len(rec.Events()))
	}
	if got, want := rec.Events()[2].Socket.Since, t0.Add(4*time.Millisecond); !got.Time().Equal(want) {
		t.Errorf("state event Since = %v, want the open's time %v", got, want)
	}
	if got, want := rec.Events()[3].Socket.Since, t0.Add(4*time.Millisecond); !got.Time().Equal(want) {
		t.Errorf("close Since = %v, want %v", got, want)
	}
}

// drain reads batches until the end note, returning events and the last table.
func drain(t *testing.T, p *Player) ([]sampler.Event, sampler.Snapshot) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var evs []sampler.Event
	for {
		b, err := p.Next(ctx)
		if err != nil {
			t.Fatalf("Next: %v (events so far %d)", err, len(evs))
		}
		if b.Source != "replay" {
			t.Errorf("Source = %q, want replay", b.Source)
		}
		evs = append(evs, b.Events...)
		for _, n := range b.Notes {
			if strings.HasPrefix(n, "replay finished") {
				return evs, b.Snapshot
			}
		}
	}
}

func TestPlayerPlaysInOrderAndRebuildsTable(t *testing.T) {
	p := NewPlayer(smallRecording(), MaxSpeed)
	evs, snap := drain(t, p)
	if len(evs) != 4 {
		t.Fatalf("played %d events, want 4", len(evs))
	}
	for i, k := range []sampler.EventKind{sampler.Opened, sampler.Opened, sampler.StateChanged, sampler.Closed} {
		if evs[i].Kind != k {
			t.Errorf("event %d is %v, want %v", i, evs[i].Kind, k)
		}
	}
	if len(snap.Sockets) != 1 || snap.Sockets[0].Local.Port() != 8080 {
		t.Errorf("final table %+v, want only the listener", snap.Sockets)
	}
	if done, total := p.Progress(); done != 4 || total != 4 {
		t.Errorf("Progress = %d/%d, want 4/4", done, total)
	}
	if got, want := p.Now(), t0.Add(16*time.Millisecond); !got.Equal(want) {
		t.Errorf("clock at the end = %v, want it stopped at the last event %v", got, want)
	}

	p.Restart()
	again, _ := drain(t, p)
	if len(again) != 4 {
		t.Errorf("after Restart played %d events, want 4 again", len(again))
	}
}

func TestPlayerPauseAndStep(t *testing.T) {
	p := NewPlayer(smallRecording(), 1)
	p.SetPaused(true)
	if !p.Paused() {
		t.Fatal("Paused() = false after SetPaused(true)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for want := 1; want <= 2; want++ {
		p.Step()
		b, err := p.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Events) != 1 {
			t.Fatalf("step %d gave %d events, want 1", want, len(b.Events))
		}
		if done, _ := p.Progress(); done != want {
			t.Errorf("Progress after step %d = %d", want, done)
		}
		if !p.Now().Equal(b.Events[0].Time) {
			t.Errorf("clock %v, want the stepped event's time %v", p.Now(), b.Events[0].Time)
		}
	}
	// Paused with no step: Next waits until ctx ends.
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if b, err := p.Next(short); err == nil {
		t.Errorf("paused Next returned a batch %+v, want it to wait", b)
	}
	p.SetSpeed(MaxSpeed)
	p.SetPaused(false)
	rest, snap := drain(t, p)
	if len(rest) != 2 {
		t.Errorf("after resuming played %d events, want the remaining 2", len(rest))
	}
	if len(snap.Sockets) != 1 {
		t.Errorf("final table has %d sockets, want 1", len(snap.Sockets))
	}
}

func TestPlayerSpeedClamped(t *testing.T) {
	p := NewPlayer(smallRecording(), 100)
	if p.Speed() != MaxSpeed {
		t.Errorf("speed 100 -> %v, want %v", p.Speed(), MaxSpeed)
	}
	for in, want := range map[float64]float64{0: MinSpeed, -3: MinSpeed, 2: 2, 1e9: MaxSpeed} {
		p.SetSpeed(in)
		if p.Speed() != want {
			t.Errorf("SetSpeed(%v) -> %v, want %v", in, p.Speed(), want)
		}
	}
}

func TestPlayerEmptyRecording(t *testing.T) {
	rec, err := Load(strings.NewReader(hdrLine))
	if err != nil {
		t.Fatal(err)
	}
	evs, snap := drain(t, NewPlayer(rec, 1))
	if len(evs) != 0 || len(snap.Sockets) != 0 {
		t.Errorf("empty recording played %d events, %d sockets", len(evs), len(snap.Sockets))
	}
}

func TestLoadRefusesTooManyEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a recording of MaxReplayEvents lines")
	}
	line := strings.TrimSuffix(openLine, "\n")
	var sb strings.Builder
	sb.WriteString(hdrLine)
	for i := 0; i <= MaxReplayEvents; i++ {
		sb.WriteString(line)
		sb.WriteByte('\n')
	}
	_, err := Load(strings.NewReader(sb.String()))
	if err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("err = %v, want a refusal naming the limit", err)
	}
}
