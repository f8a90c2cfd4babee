package main

import (
	"context"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// watch and record collect garbage at headlessGCPercent, the live view at
// liveGCPercent, unless GOGC says otherwise.
func TestGCPercentUnlessGOGCSet(t *testing.T) {
	for _, c := range []struct {
		name string
		tune func()
		want int
	}{
		{"headless", tuneHeadlessGC, headlessGCPercent},
		{"live view", tuneLiveGC, liveGCPercent},
	} {
		old := debug.SetGCPercent(100)
		t.Setenv("GOGC", "100") // restored after the test, unset or not
		os.Unsetenv("GOGC")
		c.tune()
		if got := debug.SetGCPercent(100); got != c.want {
			t.Errorf("%s, GOGC unset: GC percent %d, want %d", c.name, got, c.want)
		}
		t.Setenv("GOGC", "200")
		c.tune()
		if got := debug.SetGCPercent(100); got != 100 {
			t.Errorf("%s, GOGC=200 set: GC percent %d, want it left as it was (100)", c.name, got)
		}
		debug.SetGCPercent(old)
	}
}

// The headless commands' soft memory limit is their heap goal (the live
// heap and GC percent's headroom) plus slack for the runtime's own memory.
func TestLimitForFollowsTheHeapGoal(t *testing.T) {
	for _, c := range []struct {
		live uint64
		pct  int
		want int64
	}{
		{100 << 20, 50, 150<<20 + limitSlack},
		{100 << 20, 100, 200<<20 + limitSlack},
		{0, 50, limitSlack},
		{1 << 62, 100, math.MaxInt64}, // no overflow: no limit
	} {
		if got := limitFor(c.live, c.pct); got != c.want {
			t.Errorf("limitFor(%d, %d) = %d, want %d", c.live, c.pct, got, c.want)
		}
	}
}

// A GOMEMLIMIT set in the environment is left alone.
func TestFollowLiveHeapUnlessGOMEMLIMITSet(t *testing.T) {
	old := debug.SetMemoryLimit(1 << 40)
	defer debug.SetMemoryLimit(old)
	t.Setenv("GOMEMLIMIT", "1TiB")
	ctx, cancel := context.WithCancel(context.Background())
	followLiveHeap(ctx)
	runtime.GC() // a live heap to follow, were it followed
	time.Sleep(2 * limitEvery)
	cancel()
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("GOMEMLIMIT set: limit %d, want it left at %d", got, int64(1<<40))
	}
}

// The live view sets its GC percent and follows its live heap with a soft
// memory limit, as watch does: without the limit it kept 615-733 MB
// resident at ~100k sockets for a heap of ~300 MB (ui/PERFORMANCE.md).
func TestLiveViewFollowsItsLiveHeap(t *testing.T) {
	oldPct := debug.SetGCPercent(100)
	defer debug.SetGCPercent(oldPct)
	old := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(old)
	t.Setenv("GOGC", "")
	os.Unsetenv("GOGC")
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOMEMLIMIT")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tuneLiveMemory(ctx)
	runtime.GC() // a live heap to follow
	var limit int64
	for range 40 { // the first limit is set at once; allow a loaded machine
		if limit = debug.SetMemoryLimit(-1); limit != math.MaxInt64 {
			break
		}
		time.Sleep(limitEvery / 4)
	}
	if limit == math.MaxInt64 {
		t.Fatal("the live view set no soft memory limit")
	}
	if limit < limitSlack {
		t.Errorf("soft memory limit %d, want at least the slack %d over the live heap", limit, int64(limitSlack))
	}
	if got := debug.SetGCPercent(100); got != liveGCPercent {
		t.Errorf("GC percent %d, want liveGCPercent %d", got, liveGCPercent)
	}
}

// A check about to make its table on a heap holding more garbage than half
// of it collects first; one on a heap of live objects alone does not.
func TestCollectBeforeABigBufferOnlyOverGarbage(t *testing.T) {
	c := &collectAtNotes{letGo: make(chan struct{}, 1)}
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no collection but the ones asked for
	runtime.GC()
	var junk [][]byte
	for range 64 {
		junk = append(junk, make([]byte, 256<<10)) // 16 MB, garbage below
	}
	runtime.KeepAlive(junk)
	junk = nil
	before := numGC()
	c.Making(8 << 20)
	if numGC() == before {
		t.Errorf("no collection before an 8 MB buffer over 16 MB of garbage")
	}
	runtime.GC()
	before = numGC()
	c.lastMaking = time.Time{}
	c.Making(64 << 20)
	if got := numGC(); got != before {
		t.Errorf("%d collections before a buffer on a heap with little garbage, want none", got-before)
	}
}

// A big buffer let go makes the follower collect, once it can.
func TestFollowerCollectsWhenABigBufferIsLetGo(t *testing.T) {
	old := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(old)
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOMEMLIMIT")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	followLiveHeap(ctx)
	runtime.GC()
	before := numGC()
	sampler.NoteLetGo(1 << 30)
	for range 200 { // the follower collects on its own goroutine; allow a loaded machine
		if numGC() != before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("no collection after a 1 GB buffer was let go")
}

func numGC() uint32 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.NumGC
}
