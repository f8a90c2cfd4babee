// Package procowner finds which process holds each socket, from /proc: a
// cache of socket inode -> pid, filled by reading /proc/PID/fd links. A
// socket new to the cache is looked for first in the fd tables of processes
// that made sockets lately (hot pids, bounded per sample and paced by their
// cost), then by a walk of every /proc/*/fd, at most once a second and only
// when an unknown inode appears or an owning pid changed (exec'd another
// program, or exited and was reused: told apart by /proc/PID/stat's name
// and start time).
//
// Without root, only this user's processes can be read unless the process
// holds CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH; Attribute then reports
// owners hidden (see HiddenHint).
//
// The parsers (fd link targets, /proc/PID/stat) are plain Go and tested on
// any OS; the walk and the hot scans are Linux's, tested against a fake
// /proc the tests build and against this process's own sockets. Elsewhere
// New gives a Resolver that attributes nothing.
package procowner
