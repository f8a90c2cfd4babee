package ebpf

import (
	"net/netip"
	"time"

	"github.com/porttop/porttop/sampler"
)

// handovers matches the timewait program's records to the CLOSE
// transitions that follow them, and makes the release each such transition
// means, as netlink's destroy report and its TIME_WAIT lookup told it: the
// kernel arms a timewait socket's timer (the record) just before the
// socket it takes over goes from FIN_WAIT1, FIN_WAIT2 or CLOSING to CLOSE,
// on the same CPU, so the record is read first. A CLOSE with no record
// just before it is a release for good. Keyed by namespace and addresses
// (the timewait socket holds the closing one's four-tuple; no other socket
// can hold it meanwhile). A record with no CLOSE after it (a timer
// re-armed: a FIN_WAIT2 timewait socket turning TIME_WAIT, a retransmitted
// FIN) is never matched: only a record at most maxHandoverAge older than
// the transition counts. Not safe for concurrent use (the reader's).
type handovers struct {
	byAddr map[handoverKey]TimeWait
	// finWait2 are the sockets released to a FIN_WAIT2 timewait socket,
	// by addresses, with its cookie: its timer armed again in TIME_WAIT
	// (the peer's FIN came) is their change to TIME_WAIT, which no
	// transition tells (see note).
	finWait2 map[handoverKey]uint64
	// hz is the kernel's CONFIG_HZ, for a record's timeo (0: unknown).
	hz int
}

type handoverKey struct {
	netns         uint32
	local, remote netip.AddrPort
}

// maxHandovers bounds the records kept: re-armed timers' are never taken.
const maxHandovers = 4096

// maxHandoverAge bounds how long before its CLOSE a record is written (the
// same call of tcp_time_wait: microseconds).
const maxHandoverAge = time.Second

// note keeps a timewait record until its socket's CLOSE transition. A
// record in TIME_WAIT of a FIN_WAIT2 timewait socket released before (same
// addresses and cookie: the same timewait socket, its timer armed again
// as the peer's FIN came) is its change to TIME_WAIT: note returns it as
// a release in TIME_WAIT, which the poller applies as FIN_WAIT2 ->
// TIME_WAIT with the new timer's end, what a sample would show.
func (h *handovers) note(tw TimeWait) (sampler.Release, bool) {
	if h.byAddr == nil || len(h.byAddr) >= maxHandovers {
		h.byAddr = make(map[handoverKey]TimeWait, 64)
	}
	key := handoverKey{tw.NetNS, tw.Local, tw.Remote}
	h.byAddr[key] = tw
	if tw.State != sampler.StateTimeWait || tw.Cookie == 0 {
		return sampler.Release{}, false
	}
	if c, ok := h.finWait2[key]; !ok || c != tw.Cookie {
		return sampler.Release{}, false
	}
	delete(h.finWait2, key)
	return sampler.Release{At: tw.At, Socket: sampler.Socket{
		ID:           sampler.ID{Cookie: tw.Cookie, Proto: sampler.TCP, Local: tw.Local, Remote: tw.Remote},
		State:        sampler.StateTimeWait,
		TimeWaitEnds: sampler.StampOf(tw.At.Add(h.timeo(tw.Timeo))),
		Owner:        sampler.Owner{UID: -1},
		Place:        sampler.Place{Netns: uint64(tw.NetNS)},
	}}, true
}

// maxFinWait2 bounds the FIN_WAIT2 timewait sockets remembered (one whose
// peer never sends its FIN is never taken).
const maxFinWait2 = 1 << 15

// release completes rel, the release Attributor.Transition made of tr (a
// transition to CLOSE), from the record before it: its state (TIME_WAIT or
// FIN_WAIT2 when a timewait socket took the port over, else CLOSE), the
// timewait socket's cookie and, in TIME_WAIT, when its timer ends; the
// owner as Attributor.Transition filled it, for that state. It reports
// whether the socket lives on.
func (h *handovers) release(tr *sampler.Transition, rel *sampler.Release) bool {
	if rel.Socket.Cookie == 0 {
		rel.Socket.Cookie = tr.Cookie
	}
	rel.Socket.Netns = uint64(tr.NetNS)
	key := handoverKey{tr.NetNS, tr.Local, tr.Remote}
	tw, ok := h.byAddr[key]
	if ok {
		delete(h.byAddr, key)
		d := tr.At.Sub(tw.At)
		ok = d >= -maxHandoverAge && d <= maxHandoverAge
	}
	if !ok || !handsOver(tr.From) {
		rel.Socket.State = sampler.StateClose
		rel.Socket.Owner = rel.Socket.Owner.In(sampler.StateClose)
		return false
	}
	rel.Socket.State = tw.State
	rel.Socket.Owner = rel.Socket.Owner.In(tw.State)
	if tw.Cookie != 0 {
		rel.Socket.Cookie = tw.Cookie
	}
	if tw.State == sampler.StateTimeWait {
		rel.Socket.TimeWaitEnds = sampler.StampOf(tw.At.Add(h.timeo(tw.Timeo)))
	} else if rel.Socket.Cookie != 0 {
		if h.finWait2 == nil || len(h.finWait2) >= maxFinWait2 {
			h.finWait2 = make(map[handoverKey]uint64, 64)
		}
		h.finWait2[key] = rel.Socket.Cookie
	}
	return true
}

// timeWaitLen is TCP_TIMEWAIT_LEN, the time a TIME_WAIT socket lives
// (a constant of the kernel: 60 s), for when HZ is unknown.
const timeWaitLen = 60 * time.Second

// timeo is a record's timeo (jiffies) as a duration.
func (h *handovers) timeo(jiffies int32) time.Duration {
	if h.hz <= 0 || jiffies <= 0 {
		return timeWaitLen
	}
	return time.Duration(jiffies) * time.Second / time.Duration(h.hz)
}
