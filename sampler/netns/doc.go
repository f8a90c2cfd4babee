// Package netns finds every network namespace on a Linux host, follows
// them appearing and disappearing, runs code inside one, and samples the
// socket table of each through a sock_diag socket opened inside it.
//
// A namespace is known by the inode of its nsfs file: every process's
// /proc/PID/ns/net (deduplicated) and every `ip netns` name in /run/netns
// (a bind mount of one). A netlink socket keeps the namespace it was made
// in, so each namespace's socket is made once on an OS thread that entered
// it (and then exits), and is read from any goroutine after. The same
// holds for a /proc/sys file: one opened inside reads that namespace's
// ip_local_port_range for as long as it stays open.
//
// The decisions (which namespaces came and went) are pure and tested as
// scripts; the Linux parts are tested against namespaces the tests make.
package netns
