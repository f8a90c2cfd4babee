//go:build linux

package ebpf

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/poll"
)

// The poller over the ebpf source reconciles the kernel's transitions: 50
// loopback connections closed by the client, between samples an hour
// apart, each come out as state changes past ESTABLISHED, nothing outside
// TCP's state machine, and no disagreement between the events and the
// table. The source lets the ring buffer's records be read before it
// passes on netlink's release reports, so that the kernel's order holds;
// how many clients were seen taking TCP's step to FIN_WAIT1 is logged, not
// asserted here: the poller's own order is another's to keep (the order
// at the source is TestReleasesNeverOvertakeTheirTransitions).
func TestPollerTakesTheKernelsTransitions(t *testing.T) {
	requireRoot(t)
	s := openSource(t)
	ln := closingServer(t)
	const n = 50
	var conns []net.Conn
	for range n {
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	p := poll.New(poll.Config{Source: s, Interval: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ran := make(chan struct{})
	go func() { p.Run(ctx); close(ran) }()
	defer func() { cancel(); <-ran }()     // before the source closes
	if _, err := p.Next(ctx); err != nil { // the first sample holds them all
		t.Fatal(err)
	}
	// The poller subscribes in a goroutine of its own: let it.
	for subscribed := false; !subscribed; time.Sleep(time.Millisecond) {
		s.subMu.Lock()
		subscribed = s.trans != nil || s.batches != nil
		s.subMu.Unlock()
		if ctx.Err() != nil {
			t.Fatal("the poller never subscribed to the transitions")
		}
	}
	mine := map[string]bool{}
	for _, c := range conns {
		mine[c.LocalAddr().String()] = true
		c.Close()
	}
	finWait, left := 0, map[string]bool{}
	for a := range mine {
		left[a] = true
	}
	var last sampler.Batch
	for len(left) > 0 {
		b, err := p.Next(ctx)
		if err != nil {
			if lost := s.Lost(); lost > 0 {
				// The table was re-based by a check after the drop, and what
				// the check took in is not the kernel's step by step account
				// this test is about.
				t.Skipf("the kernel dropped %d records while the clients closed (the machine is too busy for the reader): %d of %d clients' steps not seen", lost, len(left), n)
			}
			t.Fatalf("%d of %d clients never left ESTABLISHED (no record dropped): %v; notes %q", len(left), n, err, last.Notes)
		}
		last = b
		for _, e := range b.Events {
			if e.Kind != sampler.StateChanged || !mine[e.Socket.Local.String()] {
				continue
			}
			if !sampler.TCPCanReach(e.PrevState, e.Socket.State) {
				t.Errorf("%s: %v -> %v is outside TCP's state machine", e.Socket.Local, e.PrevState, e.Socket.State)
			}
			if e.PrevState == sampler.StateEstablished && e.Socket.State == sampler.StateFinWait1 {
				finWait++
			}
			if e.Socket.State != sampler.StateEstablished {
				delete(left, e.Socket.Local.String())
			}
		}
	}
	t.Logf("%d of %d clients seen ESTABLISHED -> FIN_WAIT1, the kernel's step", finWait, n)
	if last.Disagreements != 0 {
		t.Errorf("%d transitions disagreed with the table: %q", last.Disagreements, last.Notes)
	}
}
