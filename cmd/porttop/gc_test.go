package main

import (
	"os"
	"runtime/debug"
	"testing"
)

// watch and record collect garbage at headlessGCPercent, unless GOGC says
// otherwise.
func TestHeadlessGCPercentUnlessGOGCSet(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	t.Setenv("GOGC", "100") // restored after the test, unset or not
	os.Unsetenv("GOGC")
	tuneHeadlessGC()
	if got := debug.SetGCPercent(100); got != headlessGCPercent {
		t.Errorf("GOGC unset: GC percent %d, want %d", got, headlessGCPercent)
	}
	t.Setenv("GOGC", "100")
	tuneHeadlessGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC=100 set: GC percent %d, want it left at 100", got)
	}
}

// The live view collects garbage at liveGCPercent, unless GOGC says
// otherwise.
func TestLiveGCPercentUnlessGOGCSet(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	t.Setenv("GOGC", "100")
	os.Unsetenv("GOGC")
	tuneLiveGC()
	if got := debug.SetGCPercent(100); got != liveGCPercent {
		t.Errorf("GOGC unset: GC percent %d, want %d", got, liveGCPercent)
	}
	t.Setenv("GOGC", "200")
	tuneLiveGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC=200 set: GC percent %d, want it left as it was (100)", got)
	}
}
