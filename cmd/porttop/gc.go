package main

import (
	"os"
	"runtime/debug"
)

// headlessGCPercent is the garbage collector's target for the headless
// commands (watch, record): the heap may grow to 1.5 times what is live
// between collections, not twice (Go's default, GOGC=100). Their live heap
// is mostly the connection table (two tables of 248 bytes a socket: 50 MB
// at 100k sockets), so the default's headroom is what sets their peak
// resident size. Measured under the big-table load of .ci/bench (BIG=1):
// watch peaked at 202 MB instead of 240, at no CPU cost the noise of the
// shared machine let show (17.3% of a core instead of 18.1%; collections
// come twice as often, each marking the live heap: about 1% of a core at
// that load by estimate). A GOGC set in the environment wins.
const headlessGCPercent = 50

// liveGCPercent is the live view's: its live heap is the same poller's
// tables plus the view's own (the table's rows, the port history, the
// feed), so the same headroom sets its peak resident size. Measured under
// .ci/bench's BIG load: see ui/PERFORMANCE.md.
const liveGCPercent = 50

// tuneHeadlessGC applies headlessGCPercent unless GOGC is set.
func tuneHeadlessGC() { tuneGC(headlessGCPercent) }

// tuneLiveGC applies liveGCPercent unless GOGC is set.
func tuneLiveGC() { tuneGC(liveGCPercent) }

func tuneGC(percent int) {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(percent)
	}
}
