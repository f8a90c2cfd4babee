//go:build !linux

package ebpf

// Permitted is false: the programs need Linux.
func Permitted() bool { return false }
