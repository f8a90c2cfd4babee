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
	return timeWaitRelease(key, tw.Cookie, tw.At, tw.At.Add(h.timeo(tw.Timeo))), true
}

// peerClosed tells, from tr, a local socket's LAST_ACK -> CLOSE, that a
// FIN_WAIT2 timewait socket of the same namespace whose peer it was has
// turned TIME_WAIT, when its timer's new arming made no record. The kernel
// re-arms a FIN_WAIT2 timewait socket's timer for TIME_WAIT when the
// peer's FIN comes (inet_twsk_reschedule), and a timer moved within its
// wheel bucket (a 60 s timer re-armed with 60 s a few seconds later) is
// moved without the timer_start event the timewait program reads. The
// peer closing (its FIN sent, its LAST_ACK answered) is then the sign:
// the answer came from the timewait socket, in TIME_WAIT by then, its
// timer TCP_TIMEWAIT_LEN from the FIN. A peer on another machine or in
// another namespace tells nothing here: the next check shows the state.
func (h *handovers) peerClosed(tr *sampler.Transition) (sampler.Release, bool) {
	if tr.From != sampler.StateLastAck || tr.To != sampler.StateClose {
		return sampler.Release{}, false
	}
	key := handoverKey{tr.NetNS, tr.Remote, tr.Local}
	c, ok := h.finWait2[key]
	if !ok {
		return sampler.Release{}, false
	}
	delete(h.finWait2, key)
	return timeWaitRelease(key, c, tr.At, tr.At.Add(timeWaitLen)), true
}

// timeWaitRelease is the release of the timewait socket cookie at key as
// it turns TIME_WAIT at at, its timer ending at ends: what the poller
// applies as FIN_WAIT2 -> TIME_WAIT, what a sample would show.
func timeWaitRelease(key handoverKey, cookie uint64, at, ends time.Time) sampler.Release {
	return sampler.Release{At: at, Socket: sampler.Socket{
		ID:           sampler.ID{Cookie: cookie, Proto: sampler.TCP, Local: key.local, Remote: key.remote},
		State:        sampler.StateTimeWait,
		TimeWaitEnds: sampler.StampOf(ends),
		Owner:        sampler.Owner{UID: -1},
		Place:        sampler.Place{Netns: uint64(key.netns)},
	}}
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
