package sampler

import (
	"context"
	"net/netip"
	"time"
)

// Actor is the process the kernel was running when it did something to a
// socket: the one that called connect, listen or close. Known is false when
// the kernel did it outside any process (a packet arriving, a timer), where
// the running task is whoever happened to be interrupted.
type Actor struct {
	Known    bool
	PID      int32 // thread group id: what ps calls the pid
	TID      int32
	UID      uint32
	CgroupID uint64 // cgroup v2 id (the cgroup directory's inode); 0 if none
	Comm     string // the kernel's 16-byte task name, raw: escape before display
}

// Transition is one TCP state change as the kernel made it, in order, with
// the socket it happened to. Sock is the kernel's address of the socket: it
// names one socket for its whole life (and may be reused after it is freed),
// so it tells apart two sockets with the same addresses in turn.
type Transition struct {
	At     time.Time
	Sock   uint64
	Proto  Proto
	Local  netip.AddrPort
	Remote netip.AddrPort
	From   State
	To     State
	Actor  Actor
	// NetNS is the socket's network namespace (its inode number, as
	// /proc/PID/ns/net shows it); 0 when the source cannot tell.
	NetNS uint32
	// Cookie is the kernel's socket cookie, the same number sock_diag
	// reports as the socket's ID.Cookie; 0 when the source cannot read it.
	Cookie uint64
	// Opener and Place, on a transition that opens a socket (from CLOSE,
	// or SYN_RECV -> ESTABLISHED for an accepted connection), are who
	// opened it and where (namespace name, cgroup path, container) as the
	// source knows them; zero where it does not.
	Opener Owner
	Place  Place
}

// FailedOp is the call that failed for lack of a free local port.
type FailedOp uint8

const (
	// FailedConnect is connect() returning EADDRNOTAVAIL: no local port
	// left for this destination.
	FailedConnect FailedOp = iota + 1
	// FailedBind is bind() to port 0 returning EADDRINUSE: no port left
	// in the ephemeral range at all.
	FailedBind
)

func (o FailedOp) String() string {
	switch o {
	case FailedConnect:
		return "connect"
	case FailedBind:
		return "bind"
	}
	return "?"
}

// PortFailure is one call that failed for lack of a local port. Addr is the
// destination for a connect and the requested local address for a bind.
type PortFailure struct {
	At    time.Time
	Op    FailedOp
	Errno int // positive errno: 99 EADDRNOTAVAIL, 98 EADDRINUSE on Linux
	Addr  netip.AddrPort
	Actor Actor
	NetNS uint32 // the caller's network namespace; 0 when unknown
	// NetnsName is that namespace's `ip netns` name, when the source knows
	// one (raw: escape before display).
	NetnsName string
}

// TransitionWatcher is implemented by sources that hear of every TCP state
// change from the kernel as it happens (Linux: the ebpf source). Watch sends
// each transition to out and each failed hand-out to failed until ctx ends or
// the stream breaks; it returns an error at once when it cannot start. Lost
// reports how many records the kernel dropped because the reader fell behind
// (a consumer that trusts transitions must fall back to a snapshot then).
type TransitionWatcher interface {
	WatchTransitions(ctx context.Context, out chan<- Transition, failed chan<- PortFailure) error
	Lost() uint64
}

// ValidTransition reports whether TCP's state machine (RFC 9293 as Linux
// implements and reports it, with CLOSE as both the start and the end)
// allows going from one state to the other. Linux reports an accepted
// connection's socket as born LISTEN -> SYN_RECV (it is a copy of the
// listener) and a socket handed to TIME_WAIT as going to CLOSE (the
// timewait socket that replaces it is not reported). NEW_SYN_RECV is a
// request socket, which never changes state this way.
func ValidTransition(from, to State) bool {
	return int(from) < len(validNext) && int(to) < 16 && validNext[from]&(1<<to) != 0
}

var validNext = [stateCount]uint16{
	StateClose:       1<<StateSynSent | 1<<StateListen, // connect, listen
	StateListen:      1<<StateClose | 1<<StateSynRecv,  // close; an accepted child is born a copy of its listener
	StateSynSent:     1<<StateEstablished | 1<<StateClose | 1<<StateSynRecv,
	StateSynRecv:     1<<StateEstablished | 1<<StateClose | 1<<StateFinWait1,
	StateEstablished: 1<<StateFinWait1 | 1<<StateCloseWait | 1<<StateClose,
	StateFinWait1:    1<<StateFinWait2 | 1<<StateClosing | 1<<StateTimeWait | 1<<StateClose,
	StateFinWait2:    1<<StateTimeWait | 1<<StateClose,
	StateClosing:     1<<StateTimeWait | 1<<StateClose,
	StateCloseWait:   1<<StateLastAck | 1<<StateClose,
	StateLastAck:     1 << StateClose,
	StateTimeWait:    1 << StateClose,
}

// BatchWatcher is a TransitionWatcher that can also send its transitions
// in batches, in order: one channel send (and one wakeup of the receiver)
// per burst the kernel wrote, not one per transition. A batch sent is the
// receiver's; the source does not touch it again.
type BatchWatcher interface {
	TransitionWatcher
	WatchTransitionBatches(ctx context.Context, out chan<- []Transition, failed chan<- PortFailure) error
}

// BatchRecycler is a BatchWatcher that takes back a batch its receiver is
// done with (holding no reference to it), to fill with a later burst: under
// churn a burst's slice would otherwise be a new allocation each time
// (272 bytes a transition, ~10,000 transitions a second at 1,000
// connections a second).
type BatchRecycler interface {
	RecycleBatch([]Transition)
}
