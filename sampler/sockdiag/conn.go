package sockdiag

import (
	"syscall"
	"time"
)

// Conn is a netlink sock_diag socket as the Source dumps over it: requests
// written in one datagram, replies read a datagram (one kernel skb, maybe
// many messages) at a time until NLMSG_DONE. The Linux socket is one; tests
// script a fake kernel behind it, as mdlayher/netlink's nltest does.
type Conn interface {
	Send(req []byte) error
	Recv(buf []byte) (int, error)
	Close() error
}

// watchConn is a Conn the release watcher can use too: it joins the
// destroy groups, grows its buffer, drains without blocking and bounds its
// waits for lookup replies.
type watchConn interface {
	Conn
	SetsockoptInt(level, opt, value int) error
	TryRecv(buf []byte) (n int, ok bool, err error)
	SetReadDeadline(t time.Time) error
}

// Options say where a Source reads from; the zero value is this process's
// own network namespace.
type Options struct {
	// Dial opens each netlink socket the Source uses: the dump socket (and
	// again after a broken dump) and, when the Conn it gives is a real
	// socket (from Dial), the release watcher's two. Nil: a socket in this
	// process's namespace, the dump socket without CAP_NET_ADMIN (Linux
	// only; elsewhere Open fails with ErrUnsupported).
	Dial func() (Conn, error)
	// Procfs is where net/snmp and net/sockstat are read (the counters
	// behind partial samples and Quiet); "" is "/proc".
	Procfs string
	// ReadCounters, when set, reads those counter files instead of Procfs:
	// name is "net/snmp", "net/sockstat" or "net/sockstat6", the contents
	// go into buf (grown as needed). sampler/netns gives files it opened
	// inside a namespace and reads again with pread, with no path lookup
	// and no process needed in the namespace.
	ReadCounters func(name string, buf []byte) ([]byte, error)
}

// Linux's errno numbers for the refusals a Source tells apart: NLMSG_ERROR
// carries the kernel's number, whatever OS the parser runs on (tests script
// a fake kernel anywhere), so they are spelled out rather than taken from
// syscall's constants, which differ by OS.
const (
	errnoEINVAL     = syscall.Errno(22)
	errnoEOPNOTSUPP = syscall.Errno(95)
)
