//go:build !linux

package main

// ownNetns is 0: network namespaces are Linux's.
func ownNetns() uint64 { return 0 }
