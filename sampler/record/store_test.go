package record

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// churnRecording is a recording of n events like a busy proxy's: short
// connections from ephemeral ports to a few servers, each opened, moved to
// TIME_WAIT and closed, owned by a handful of programs.
func churnRecording(t testing.TB, n int) []byte {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Header{OS: "linux", Ephemeral: linuxRange, Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	procs := []string{"haproxy", "curl", "python3", "node"}
	at := t0
	var open []sampler.Socket
	for written := 0; written < n; {
		at = at.Add(time.Duration(rng.IntN(900)) * time.Microsecond)
		var ev sampler.Event
		if len(open) < 50 || rng.IntN(2) == 0 {
			s := sampler.Socket{
				ID: sampler.ID{Proto: sampler.TCP,
					Local:  netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(rng.IntN(4)), byte(rng.IntN(250))}), uint16(32768+rng.IntN(28000))),
					Remote: netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 168, 1, byte(rng.IntN(8))}), uint16(8000+rng.IntN(4)))},
				State: sampler.StateEstablished,
				Owner: sampler.Owner{PID: int32(1000 + rng.IntN(40)), Process: procs[rng.IntN(len(procs))], UID: 33},
			}
			open = append(open, s)
			ev = sampler.Event{Kind: sampler.Opened, Time: at, Socket: s}
		} else {
			i := rng.IntN(len(open))
			s := open[i]
			if s.State == sampler.StateEstablished {
				prev := s.State
				s.State = sampler.StateTimeWait
				open[i] = s
				ev = sampler.Event{Kind: sampler.StateChanged, Time: at, Socket: s, PrevState: prev}
			} else {
				open = slices.Delete(open, i, i+1)
				ev = sampler.Event{Kind: sampler.Closed, Time: at, Socket: s, Held: time.Duration(rng.IntN(5000)) * time.Millisecond}
			}
		}
		if err := w.Write([]sampler.Event{ev}); err != nil {
			t.Fatal(err)
		}
		written++
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReplayHoldsFewBytesPerEvent: a loaded recording's events stay
// compact (issue 14: at most 300 bytes an event; they took about 1 KB as
// []sampler.Event). Heap after a full GC, so not a timing.
func TestReplayHoldsFewBytesPerEvent(t *testing.T) {
	const n = 50_000
	data := churnRecording(t, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rec, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if rec.Len() != n {
		t.Fatalf("loaded %d events, want %d", rec.Len(), n)
	}
	per := (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / n
	t.Logf("%d events held in %.0f bytes each (the file: %d bytes each)", n, per, len(data)/n)
	if per > 300 {
		t.Errorf("a loaded event takes %.0f bytes, want <= 300", per)
	}
	runtime.KeepAlive(rec)
	runtime.KeepAlive(data)
}

// TestStoreKeepsEveryEvent: the blocks give back exactly the events a
// plain read gives (Since filled as Load fills it), across block edges,
// wherever the player starts reading.
func TestStoreKeepsEveryEvent(t *testing.T) {
	n := 3*storeBlock + 17
	data := churnRecording(t, n)
	rec, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := plainLoad(t, data)
	got := rec.Events()
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("event %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	// Out of order: back from the end, then jumping between blocks.
	for _, i := range []int{n - 1, 0, storeBlock, storeBlock - 1, 2*storeBlock + 5, 1} {
		if e := rec.Event(i); !reflect.DeepEqual(e, want[i]) {
			t.Errorf("Event(%d) = %+v, want %+v", i, e, want[i])
		}
	}
}

// TestLoadSortsLinesOutOfOrder: a hand-edited file whose lines are out of
// time order is played in time order, equal times in file order.
func TestLoadSortsLinesOutOfOrder(t *testing.T) {
	data := churnRecording(t, storeBlock+40)
	lines := strings.SplitAfter(string(data), "\n")
	hdr, body := lines[0], lines[1:]
	// Move a run of lines from the middle to the end.
	moved := slices.Clone(body[300:320])
	body = append(slices.Delete(body, 300, 320), moved...)
	shuffled := hdr + strings.Join(body, "")
	rec, err := Load(strings.NewReader(shuffled))
	if err != nil {
		t.Fatal(err)
	}
	want := plainLoad(t, []byte(shuffled))
	slices.SortStableFunc(want, func(a, b sampler.Event) int { return a.Time.Compare(b.Time) })
	got := rec.Events()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events not in time order as a stable sort puts them (%d vs %d events)", len(got), len(want))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Time.Before(got[i-1].Time) {
			t.Fatalf("event %d at %v comes after one at %v", i, got[i].Time, got[i-1].Time)
		}
	}
}

// plainLoad reads data with a Reader and fills Since as Load documents.
func plainLoad(t *testing.T, data []byte) []sampler.Event {
	t.Helper()
	rd, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	since := map[sampler.ID]time.Time{}
	var out []sampler.Event
	for {
		e, err := rd.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e.Kind {
		case sampler.Opened:
			since[e.Socket.ID] = e.Socket.Since.Time()
		case sampler.StateChanged:
			if s, ok := since[e.Socket.ID]; ok {
				e.Socket.Since = sampler.StampOf(s)
			} else {
				e.Socket.Since = sampler.StampOf(e.Time)
				since[e.Socket.ID] = e.Time
			}
		case sampler.Closed:
			delete(since, e.Socket.ID)
		}
		out = append(out, e)
	}
}

func BenchmarkLoad(b *testing.B) {
	data := churnRecording(b, 20_000)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Load(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
