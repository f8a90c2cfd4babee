// Package sampler reads the OS connection table, diffs successive snapshots and
// turns the differences into events. It knows nothing of any user interface.
package sampler

import (
	"net/netip"
	"time"
)

// Proto is a transport protocol.
type Proto uint8

const (
	TCP Proto = iota + 1
	UDP
)

func (p Proto) String() string {
	switch p {
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	}
	return "?"
}

// ParseProto reads "tcp" or "udp" (any case).
func ParseProto(s string) (Proto, bool) {
	switch s {
	case "tcp", "TCP":
		return TCP, true
	case "udp", "UDP":
		return UDP, true
	}
	return 0, false
}

// ID is a socket's identity. Two sockets with the same ports are different
// sockets when any field differs: the kernel reuses a port within seconds, so
// identity is never the port alone. Cookie is the kernel's socket cookie where
// the source has one (sock_diag does, gopsutil does not) and 0 otherwise.
type ID struct {
	Cookie uint64
	Proto  Proto
	Local  netip.AddrPort
	Remote netip.AddrPort
}

// Socket is one row of the OS connection table.
type Socket struct {
	ID
	// Owner is who holds the socket (PID, Process, UID, ... are promoted
	// from it); see owner.go for how it is carried over and shown.
	Owner
	// Place is the socket's namespace and cgroup (socket_place.go).
	Place
	// Since is when this socket was first seen in use; Diff fills it.
	Since Stamp
	// TimeWaitEnds is, for a TCP socket in TIME_WAIT, when the kernel's
	// timer frees it (and its port): what `ss -o` shows as
	// timer:(timewait,45sec,0), from sock_diag's idiag_expires. Zero when
	// the source cannot say (gopsutil, a recording, other states).
	TimeWaitEnds Stamp
	// Inode is the socket's inode number, what /proc/PID/fd's
	// socket:[N] links name; 0 when no file holds the socket (TIME_WAIT)
	// or the source cannot say. 32 bits, as sock_diag's idiag_inode
	// (socket inodes come from the kernel's get_next_ino).
	//
	// Inode, State and V6Only share one word (a table holds tens of
	// thousands of sockets): see TestSocketSize.
	Inode uint32
	State State
	// V6Only is true for an IPv6 listener that accepts IPv6 connections
	// only (IPV6_V6ONLY); false for every other socket, and where the
	// source cannot tell.
	V6Only bool
}

// Family returns 4 or 6, from the local address (dual-stack sockets carrying an
// IPv4-mapped address are unmapped by the sources, so they report 4).
func (s *Socket) Family() int {
	if s.Local.Addr().Is6() {
		return 6
	}
	return 4
}

// Unmap turns ::ffff:a.b.c.d into a.b.c.d, keeping the port; sources call it
// on every address so that the same connection always has the same ID.
func Unmap(ap netip.AddrPort) netip.AddrPort {
	a := ap.Addr()
	if a.Is4In6() {
		return netip.AddrPortFrom(a.Unmap(), ap.Port())
	}
	return ap
}

// Snapshot is the connection table at one moment.
type Snapshot struct {
	Time    time.Time
	Sockets []Socket
}

// SameRows reports whether a and b are the same rows of one array (the
// same start and length), not merely equal ones: a published table is
// never written again, so a holder can tell the table it took from a new
// one without comparing sockets.
func SameRows(a, b []Socket) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
