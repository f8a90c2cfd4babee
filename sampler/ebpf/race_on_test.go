//go:build race

package ebpf

// raceOn: built with -race, where spawning a thousand instrumented
// processes takes minutes; tests that measure scale down.
const raceOn = true
