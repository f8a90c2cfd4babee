package record

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// memRecording is n events as a busy machine records them: clients of a
// few programs opening, changing state and closing.
func memRecording(tb testing.TB, n int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Header{OS: "linux", Ephemeral: linuxRange})
	if err != nil {
		tb.Fatal(err)
	}
	procs := []string{"curl", "nginx", "python3", "postgres"}
	evs := make([]sampler.Event, 0, n)
	for i := 0; len(evs) < n; i++ {
		s := sock(sampler.TCP, fmt.Sprintf("127.0.0.1:%d", 32768+i%28000), "127.0.0.1:8080", sampler.StateEstablished, int32(1000+i%50), procs[i%len(procs)], 1000)
		at := t0.Add(time.Duration(i) * time.Millisecond)
		evs = append(evs, sampler.Event{Kind: sampler.Opened, Time: at, Socket: s})
		s.State = sampler.StateTimeWait
		evs = append(evs, sampler.Event{Kind: sampler.StateChanged, Time: at.Add(time.Millisecond), Socket: s, PrevState: sampler.StateEstablished})
		evs = append(evs, sampler.Event{Kind: sampler.Closed, Time: at.Add(2 * time.Millisecond), Socket: s, Held: time.Second})
	}
	if err := w.Write(evs[:n]); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkLoadMemory reports the heap a loaded recording keeps per event
// (B/event, held to 300 by TestReplayHoldsFewBytesPerEvent), and the peak while
// loading (peak-B/event, from the total allocated: an upper bound).
func BenchmarkLoadMemory(b *testing.B) {
	const n = 100_000
	data := memRecording(b, n)
	var kept, total float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rec, err := Load(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		kept = float64(after.HeapAlloc-before.HeapAlloc) / float64(rec.Len())
		total = float64(after.TotalAlloc-before.TotalAlloc) / float64(rec.Len())
		runtime.KeepAlive(rec)
	}
	b.ReportMetric(kept, "B/event")
	b.ReportMetric(total, "alloc-B/event")
}
