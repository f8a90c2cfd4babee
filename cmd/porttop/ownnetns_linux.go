//go:build linux

package main

import "golang.org/x/sys/unix"

// ownNetns is porttop's network namespace's inode, 0 when unreadable: the
// live view tells sockets elsewhere (a container's) by it.
func ownNetns() uint64 {
	var st unix.Stat_t
	if unix.Stat("/proc/self/ns/net", &st) != nil {
		return 0
	}
	return st.Ino
}
