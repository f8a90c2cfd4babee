// Package sockdiag reads Linux's socket table through netlink sock_diag
// (inet_diag), the interface `ss` uses: one walk of the TCP tables for both
// families (TCPDIAG_GETSOCK) and one UDP dump per family, asking for no
// extensions, into reused buffers. Each socket keeps the kernel's cookie as
// its identity, its uid and its inode. UDP sockets are reported with
// StateNone (the kernel's CLOSE/ESTABLISHED for them says only whether they
// are connected).
//
// SetQuery narrows dumps in the kernel: protocols and states through the
// request's state mask, ports through an inet_diag bytecode program (local or
// remote port in any of the ranges), so a filtered view stays cheap at any
// table size.
//
// WatchReleases listens to the kernel's socket-destroy multicast groups, so
// that a socket that lived and died between two polls is still reported, at
// once. A TCP socket moving to TIME_WAIT is also destroyed (its timewait
// successor keeps the port), so each TCP release is checked with an exact
// lookup and reported as StateTimeWait when it lives on.
//
// Sockets are attributed to processes by package procowner (from /proc);
// this package speaks only netlink. KernelCounters reads /proc/net/snmp.
//
// The Source dumps over a Conn (Options.Dial; New dials this namespace's
// NETLINK_SOCK_DIAG socket). The wire parsers (messages, bytecode, snmp),
// the dump plans, the handling of refusals and broken dumps and the partial
// samples are plain Go and build on every OS: they are tested and fuzzed
// from captured bytes and against a fake kernel behind Conn
// (fakekernel_test.go, as mdlayher/netlink's nltest). Only the socket
// itself, the dump socket's capability drop and the release watcher are
// Linux's; elsewhere New reports ErrUnsupported.
package sockdiag
