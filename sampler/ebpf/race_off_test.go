//go:build !race

package ebpf

const raceOn = false
