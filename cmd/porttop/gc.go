package main

import (
	"context"
	"math"
	"math/bits"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
)

// headlessGCPercent is the garbage collector's target for the headless
// commands (watch, record): the heap may grow to 1.25 times what is live
// between collections, not twice (Go's default, GOGC=100). Their live heap
// is mostly the connection table and what the reconciler keeps beside it
// (~65 MB at 100k sockets between checks), so the headroom is what sets
// their peak resident size beyond it. Measured under the big-table load of
// .ci/bench (BIG=1): at GOGC=50 the collector took ~1% of a core (0.43 s
// of CPU in 41 s, marks and assists) and the scavenger 0.6%; 25 makes
// collections twice as frequent, about one more percent, for ~15-20 MB
// less resident (sampler/MEMORY.md). A GOGC set in the environment wins.
const headlessGCPercent = 25

// liveGCPercent is the live view's: its live heap is the same poller's
// tables plus the view's own (the table's rows, the port history, the
// feed), so the same headroom sets its peak resident size. Measured under
// .ci/bench's BIG load (ui/PERFORMANCE.md): at 50 the live view peaked at
// 297-355 MB (three runs, 95-110k sockets) and took 30-36% of a core; at
// 25, 236 and 284 MB and 34% (two runs, 95k and 110k sockets).
const liveGCPercent = 25

// tuneLiveMemory is the live view's memory tuning: liveGCPercent and a
// soft memory limit following the live heap, as the headless commands
// have (followLiveHeap), each unless the environment sets its own.
func tuneLiveMemory(ctx context.Context) {
	tuneLiveGC()
	followLiveHeap(ctx)
}

// tuneHeadlessGC applies headlessGCPercent unless GOGC is set.
func tuneHeadlessGC() { tuneGC(headlessGCPercent) }

// tuneLiveGC applies liveGCPercent unless GOGC is set.
func tuneLiveGC() { tuneGC(liveGCPercent) }

func tuneGC(percent int) {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(percent)
	}
}

// The soft memory limit of the headless commands and of the live view
// follows their live heap (limitFor): Go's GC percent bounds the heap
// between collections, but
// not what the process keeps resident. Pages freed by a collection stay
// mapped until the runtime's background scavenger returns them, slowly
// (it keeps about 10% over the largest recent heap goal), and under a
// churning big table the goal swings with the table: watch kept 476 MB
// resident at a peak heap goal of 375 MB and a live heap of 150-250 MB
// (BIG=1, sampler/MEMORY.md). A limit just over the goal makes the
// runtime return freed pages as it goes. A GOMEMLIMIT set in the
// environment wins (the limit is then left alone).
const (
	// limitSlack is added to the goal: the runtime's own memory
	// (stacks, metadata, the heap's partly used pages) counts against
	// the limit, and a limit the live heap reaches makes the collector
	// run back to back (up to half the CPU).
	limitSlack = 24 << 20
	// limitEvery is how often the limit is set again from the live heap.
	limitEvery = 250 * time.Millisecond
)

// limitFor is the soft memory limit for a live heap of live bytes under
// GC percent gcPercent: the heap goal plus limitSlack.
func limitFor(live uint64, gcPercent int) int64 {
	hi, head := bits.Mul64(live/100, uint64(max(gcPercent, 0)))
	goal, carry := bits.Add64(live, head, 0)
	if hi != 0 || carry != 0 || goal > math.MaxInt64-limitSlack {
		return math.MaxInt64
	}
	return int64(goal) + limitSlack
}

// followLiveHeap sets the soft memory limit from the live heap every
// limitEvery until ctx ends, unless GOMEMLIMIT is set. GC percent is
// read once: the headless commands set it before.
func followLiveHeap(ctx context.Context) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample[:1])
	pct := int(sample[0].Value.Uint64())
	if sample[0].Value.Kind() != metrics.KindUint64 || pct <= 0 {
		return // GOGC=off: collections only at a limit the user sets
	}
	sample = sample[1:]
	notes := &collectAtNotes{letGo: make(chan struct{}, 1)}
	sampler.SetHeapNotes(notes)
	go func() {
		tick := time.NewTicker(limitEvery)
		defer tick.Stop()
		defer debug.SetMemoryLimit(math.MaxInt64)
		defer sampler.SetHeapNotes(nil)
		for {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				if live := sample[0].Value.Uint64(); live > 0 {
					debug.SetMemoryLimit(limitFor(live, pct))
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			case <-notes.letGo:
				notes.collect(&notes.lastLetGo) // then the limit follows the heap it left
			}
		}
	}()
}

// collectAtNotes collects garbage at the sampler's big moments
// (sampler.HeapNotes): before a check makes its new table, when the heap
// holds at least half as much garbage again, so that the two tables of a
// check are not piled on a heap grown to its goal; and once the old table
// is let go, so that the next goal is set from one table, not two. Without
// them a collection inside a check set the goal from ~90 MB live (two
// tables) and watch stayed near 1.5 times that until the next check, though
// ~65 MB were live between checks (BIG=1, sampler/MEMORY.md). Each costs a
// collection the pacer would mostly have made anyway; at most one a
// second of each kind.
type collectAtNotes struct {
	letGo chan struct{} // capacity 1: collect once the follower can
	mu    sync.Mutex
	// The last collections made before a buffer was made and after one
	// was let go.
	lastMaking, lastLetGo time.Time
}

// collectGap is the shortest time between two collections made here.
const collectGap = time.Second

var _ sampler.HeapNotes = (*collectAtNotes)(nil)

// Making collects before a buffer of bytes is made when the garbage since
// the last collection is at least half its size. It blocks its caller (a
// check's goroutine) for the collection.
func (c *collectAtNotes) Making(bytes int) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		return
	}
	if objects, live := s[0].Value.Uint64(), s[1].Value.Uint64(); objects < live || objects-live < uint64(bytes/2) {
		return
	}
	c.collect(&c.lastMaking)
}

// LetGo asks the follower to collect when a buffer of at least an eighth
// of the live heap was let go; it never blocks.
func (c *collectAtNotes) LetGo(bytes int) {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || uint64(bytes) < s[0].Value.Uint64()/8 {
		return
	}
	select {
	case c.letGo <- struct{}{}:
	default:
	}
}

// collect runs a collection unless *last, the last of its kind, was
// within collectGap.
func (c *collectAtNotes) collect(last *time.Time) {
	c.mu.Lock()
	if time.Since(*last) < collectGap {
		c.mu.Unlock()
		return
	}
	*last = time.Now()
	c.mu.Unlock()
	runtime.GC()
}
