//go:build linux

package sockdiag

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
)

const (
	// watchRcvBuf is the receive buffer asked for on the destroy socket: at
	// ~1 KiB of kernel memory per event it absorbs a few thousand releases
	// while the consumer is busy. SO_RCVBUFFORCE (root) may exceed
	// net.core.rmem_max; SO_RCVBUF is capped by it.
	watchRcvBuf = 8 << 20
	// maxBatch bounds how many releases are gathered before lookups are sent.
	maxBatch = 64
	// lookupTimeout bounds the wait for lookup replies; a reply lost to a
	// full buffer must not stall the watcher.
	lookupTimeout = 250 * time.Millisecond
)

// destroyGroups are SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET_UDP_DESTROY,
// SKNLGRP_INET6_TCP_DESTROY and SKNLGRP_INET6_UDP_DESTROY (linux/sock_diag.h).
var destroyGroups = []int{
	unix.SKNLGRP_INET_TCP_DESTROY, unix.SKNLGRP_INET_UDP_DESTROY,
	unix.SKNLGRP_INET6_TCP_DESTROY, unix.SKNLGRP_INET6_UDP_DESTROY,
}

// Lost counts receive-buffer overflows on the destroy socket since start:
// each means at least one release was dropped by the kernel (ENOBUFS), so a
// socket may later appear closed only at the next poll.
func (s *Source) Lost() uint64 { return s.lost.Load() }

// WatchReleases joins the socket-destroy multicast groups and sends every
// released TCP and UDP socket to out until ctx ends (then it returns nil). It
// returns an error at once when the kernel refuses the subscription.
//
// The kernel reports a TCP socket destroyed also when it merely moved to
// TIME_WAIT (the full socket is freed; a timewait socket with the same cookie
// keeps the port). So each TCP release is checked with an exact lookup of its
// 4-tuple and cookie; a hit is sent with the timewait socket's state:
// StateTimeWait, or StateFinWait2 for a socket orphaned before its peer's
// FIN came. Lookups of a burst of releases go to the kernel in one write.
func (s *Source) WatchReleases(ctx context.Context, out chan<- sampler.Release) error {
	return s.watchReleases(ctx, out, destroyGroups)
}

// udpDestroyGroups are the UDP ones of destroyGroups.
var udpDestroyGroups = []int{unix.SKNLGRP_INET_UDP_DESTROY, unix.SKNLGRP_INET6_UDP_DESTROY}

// WatchUDPReleases is WatchReleases for UDP sockets only: it joins only
// the UDP destroy groups, so the kernel sends it no TCP report (nor are
// TIME_WAIT lookups made). For a caller that tells TCP releases from the
// kernel's own events (sampler/ebpf's timewait program): under churn,
// reading every TCP report and looking up half of them was the largest
// cost of porttop watch.
func (s *Source) WatchUDPReleases(ctx context.Context, out chan<- sampler.Release) error {
	return s.watchReleases(ctx, out, udpDestroyGroups)
}

func (s *Source) watchReleases(ctx context.Context, out chan<- sampler.Release, groups []int) error {
	w, err := s.subscribe(groups)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, w.close)
	defer func() {
		if stop() { // ctx still running: close here instead
			w.close()
		}
	}()
	return w.run(ctx, out)
}

// dialWatch opens a socket for the watcher: from Options.Dial when given
// (it must be a real socket, as Dial gives), else in this namespace.
func (s *Source) dialWatch() (watchConn, error) {
	if !s.dialed {
		return dial()
	}
	c, err := s.dial()
	if err != nil {
		return nil, err
	}
	wc, ok := c.(watchConn)
	if !ok {
		c.Close()
		return nil, errors.New("sock_diag: release watching needs a netlink socket (Options.Dial gave another Conn)")
	}
	return wc, nil
}

// subscribe opens the destroy socket, joined to groups, and the lookup
// socket.
func (s *Source) subscribe(groups []int) (*watcher, error) {
	c, err := s.dialWatch()
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if err := c.SetsockoptInt(unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, g); err != nil {
			c.Close()
			return nil, fmt.Errorf("subscribe to socket-destroy group %d: %w", g, err)
		}
	}
	growRcvBuf(c, watchRcvBuf)
	lc, err := s.dialWatch()
	if err != nil {
		c.Close()
		return nil, err
	}
	growRcvBuf(lc, 1<<20)
	return &watcher{src: s, c: c, lc: lc, buf: make([]byte, recvBufSize), lbuf: make([]byte, 8<<10)}, nil
}

func (w *watcher) close() {
	w.c.Close()
	w.lc.Close()
}

func growRcvBuf(c watchConn, size int) {
	if c.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, size) != nil {
		_ = c.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUF, size)
	}
}

type watcher struct {
	src     *Source
	c, lc   watchConn
	buf     []byte
	lbuf    []byte
	req     []byte
	seq     uint32
	pending []released
	asked   []int // pending index of each lookup sent, by seq - first
}

func (w *watcher) run(ctx context.Context, out chan<- sampler.Release) error {
	behind := false
	for {
		n, err := w.c.Recv(w.buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, unix.ENOBUFS) {
				w.src.lost.Add(1)
				continue
			}
			return fmt.Errorf("receive socket-destroy report: %w", err)
		}
		w.pending = w.collect(w.pending[:0], w.buf[:n], time.Now())
		if d := time.Duration(w.src.coalesce.Load()); d > 0 && !behind {
			time.Sleep(d) // let the burst come: see CoalesceReleases
		}
		for len(w.pending) < maxBatch {
			n, ok, err := w.c.TryRecv(w.buf)
			if errors.Is(err, unix.ENOBUFS) {
				w.src.lost.Add(1)
				continue
			}
			if !ok {
				break
			}
			w.pending = w.collect(w.pending, w.buf[:n], time.Now())
		}
		behind = len(w.pending) >= maxBatch // more queued: no wait before the next
		w.pending = w.keepQueried(w.pending)
		if err := w.checkTimeWait(); err != nil && ctx.Err() == nil {
			return err
		}
		for i := range w.pending {
			select {
			case out <- w.pending[i].rel:
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// keepQueried drops the releases of sockets the source's query leaves out
// (by protocol and port: their states before the release are unknown), so a
// narrowed source does no TIME_WAIT lookups for the rest of the machine.
func (w *watcher) keepQueried(pending []released) []released {
	q := w.src.released.Load()
	if q == nil || (len(q.Protos) == 0 && len(q.Ports) == 0) {
		return pending
	}
	kept := pending[:0]
	for _, r := range pending {
		if q.MatchesAddrs(&r.rel.Socket) {
			kept = append(kept, r)
		}
	}
	return kept
}

// collect parses destroy reports; malformed ones are skipped.
func (w *watcher) collect(dst []released, b []byte, at time.Time) []released {
	for len(b) > 0 {
		m, rest, err := nextMsg(b)
		if err != nil {
			return dst
		}
		b = rest
		if r, ok := parseRelease(m, at); ok {
			dst = append(dst, r)
		}
	}
	return dst
}

// checkTimeWait looks up every pending TCP release by its 4-tuple and marks
// those that live on in TIME_WAIT. The lookup cannot use the cookie: the
// kernel makes cookies lazily, so a socket nobody had asked about gets one at
// its destroy report, after its timewait successor was made without one. A
// 4-tuple held in TIME_WAIT at the moment of the report can only be the
// successor (the timewait socket keeps any other socket off that tuple). The
// release then carries the timewait socket's cookie, which is what later
// samples will show.
func (w *watcher) checkTimeWait() error {
	w.req = w.req[:0]
	w.asked = w.asked[:0]
	first := w.seq + 1
	final := w.src.closedForGood.Load()
	for i := range w.pending {
		r := &w.pending[i]
		if r.protocol != ipprotoTCP || r.rel.Socket.Remote.Port() == 0 {
			continue // UDP has no TIME_WAIT; a listener has no peer
		}
		if final != nil && r.rel.Socket.Cookie != 0 && (*final)(r.rel.Socket.Cookie) {
			continue // closed for good: no timewait socket took it over
		}
		putNoCookie(r.id[:])
		w.seq++
		w.asked = append(w.asked, i)
		w.req = appendRequest(w.req, w.seq, false, r.family, r.protocol, uint32(sampler.AllStates), r.id[:], nil)
	}
	if len(w.req) == 0 {
		return nil
	}
	if err := w.lc.Send(w.req); err != nil {
		return fmt.Errorf("send TIME_WAIT lookups: %w", err)
	}
	if err := w.lc.SetReadDeadline(time.Now().Add(lookupTimeout)); err != nil {
		return err
	}
	for answered := 0; answered < len(w.asked); {
		n, err := w.lc.Recv(w.lbuf)
		if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, unix.ENOBUFS) {
			// Replies lost or late: the rest count as closed (a later
			// sample shows any that live on in TIME_WAIT).
			return nil
		}
		if err != nil {
			return fmt.Errorf("receive TIME_WAIT lookup: %w", err)
		}
		b := w.lbuf[:n]
		for len(b) > 0 {
			m, rest, err := nextMsg(b)
			if err != nil {
				break
			}
			b = rest
			if m.Seq < first || m.Seq > w.seq {
				continue // a late reply to an earlier batch
			}
			answered++
			if m.Type != sockDiagByFamily {
				continue // NLMSG_ERROR: ENOENT, the socket is gone
			}
			d, err := parseDiagMsg(m.Payload)
			if err != nil || !isTimewaitState(sampler.State(d.State)) {
				continue
			}
			s := &w.pending[w.asked[m.Seq-first]].rel.Socket
			s.State = sampler.State(d.State) // FIN_WAIT2 is no TIME_WAIT yet: a stream must not say it was
			s.Cookie = d.Cookie
			if s.State == sampler.StateTimeWait && d.Timer == timerTimeWait {
				// When its timer frees it, as a dump would say.
				s.TimeWaitEnds = sampler.StampOf(time.Now().Add(time.Duration(d.ExpiresMS) * time.Millisecond))
			}
		}
	}
	return nil
}

// isTimewaitState tells the states of the kernel's timewait mini-sockets: a
// closed socket waiting out TIME_WAIT, or one closed in FIN_WAIT2 (orphaned
// before the peer's FIN came; it turns to TIME_WAIT when it does). Either
// way the port stays held; the release says which.
func isTimewaitState(s sampler.State) bool {
	return s == sampler.StateTimeWait || s == sampler.StateFinWait2
}
