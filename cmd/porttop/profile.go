package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"time"
)

// Developers only (not in the help): profiles of a running porttop, for
// .ci/bench's BIG scenario and `go tool pprof`.
//
//	PORTTOP_CPUPROFILE=FILE  a CPU profile of the whole run, written at exit
//	PORTTOP_MEMPROFILE=FILE  a heap profile, rewritten every 5 s while the
//	                         program runs (the last one shows the heap under
//	                         load, not the emptied heap at exit)
//	PORTTOP_TRACE=FILE       a runtime trace of the whole run, for
//	                         `go tool trace` (goroutines' waits, GC assists)
//	PORTTOP_KEYLOG=FILE      each key's answer timed (see keyclock.go)
//
// A profile that cannot be started is skipped silently: the program's own
// behaviour never depends on these variables.
const (
	cpuProfileEnv = "PORTTOP_CPUPROFILE"
	memProfileEnv = "PORTTOP_MEMPROFILE"
	traceEnv      = "PORTTOP_TRACE"
)

// startProfiles starts what the environment asks for; the returned stop
// writes the final profiles.
func startProfiles() (stop func()) {
	var stops []func()
	if path := os.Getenv(cpuProfileEnv); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
			} else {
				f.Close()
			}
		}
	}
	if path := os.Getenv(traceEnv); path != "" {
		if f, err := os.Create(path); err == nil {
			if trace.Start(f) == nil {
				stops = append(stops, func() { trace.Stop(); f.Close() })
			} else {
				f.Close()
			}
		}
	}
	if path := os.Getenv(memProfileEnv); path != "" {
		done := make(chan struct{})
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			tick := time.NewTicker(5 * time.Second)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
					writeHeapProfile(path)
				}
			}
		}()
		stops = append(stops, func() { close(done); <-finished })
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}

// writeHeapProfile replaces path with the heap as of a fresh GC.
func writeHeapProfile(path string) {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return
	}
	runtime.GC()
	err = pprof.WriteHeapProfile(f)
	if cerr := f.Close(); err == nil && cerr == nil {
		_ = os.Rename(tmp, path)
		return
	}
	_ = os.Remove(tmp)
}
