// Package sockdiag reads Linux's socket table through netlink sock_diag
// (inet_diag): one dump per family and protocol, no extensions, buffers
// reused, each socket keeping the kernel's cookie as its identity. It also
// listens to the kernel's socket-destroy multicast groups so that a socket
// that lived and died between two polls is still reported, caches
// inode->process attribution so a sample needs no /proc walk, and reads the
// kernel's own TCP open counters from /proc/net/snmp.
//
// The wire parsers (messages, bytecode, snmp) are plain Go and build on every
// OS so they can be tested and fuzzed from captured bytes; the netlink
// plumbing is Linux-only, with a fallback New that reports it unsupported.
package sockdiag
