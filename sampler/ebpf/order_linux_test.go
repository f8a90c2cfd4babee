//go:build linux

package ebpf

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// TestReleasesNeverOvertakeTheirTransitions: a consumer that, like the
// poller, takes the transitions already queued before it applies a
// release, sees every socket's closing transitions before netlink's
// report of its release. 300 loopback connections, each close order,
// while the reader has other records to get through. Transitions taken
// one by one (WatchTransitions) and in batches (WatchTransitionBatches,
// what the poller takes).
func TestReleasesNeverOvertakeTheirTransitions(t *testing.T) {
	requireRoot(t)
	t.Run("one by one", func(t *testing.T) { releasesNeverOvertake(t, false) })
	t.Run("in batches", func(t *testing.T) { releasesNeverOvertake(t, true) })
}

func releasesNeverOvertake(t *testing.T, batched bool) {
	s := openSource(t)
	if !s.probe.Cookies() {
		t.Skipf("this kernel gives no socket cookies to tracing programs: %v", s.probe.Notes())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var trans chan sampler.Transition
	var batches chan []sampler.Transition
	if batched {
		batches = make(chan []sampler.Transition, 8)
		go s.WatchTransitionBatches(ctx, batches, make(chan sampler.PortFailure, 16))
	} else {
		trans = make(chan sampler.Transition, 64)
		go s.WatchTransitions(ctx, trans, make(chan sampler.PortFailure, 16))
	}
	rels := make(chan sampler.Release, 64)
	go s.WatchReleases(ctx, rels)

	// Subscribing is asynchronous: warm up on another listener until
	// both streams carry one of its connections.
	warm, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer warm.Close()
	warmPort := uint16(warm.Addr().(*net.TCPAddr).Port)
	for gotT, gotR, deadline := false, false, time.Now().Add(10*time.Second); !gotT || !gotR; {
		if time.Now().After(deadline) {
			t.Fatalf("streams not started after 10 s (transition %v, release %v)", gotT, gotR)
		}
		closeConn(t, warm, true)
		for wait := time.After(100 * time.Millisecond); ; {
			select {
			case tr := <-trans:
				gotT = gotT || tr.Remote.Port() == warmPort
				continue
			case b := <-batches:
				for _, tr := range b {
					gotT = gotT || tr.Remote.Port() == warmPort
				}
				continue
			case r := <-rels:
				gotR = gotR || r.Socket.Remote.Port() == warmPort
				continue
			case <-wait:
			}
			break
		}
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	// closed: the cookies of sockets whose transition to CLOSE was seen.
	closed := map[uint64]bool{}
	seen := func(tr sampler.Transition) {
		if tr.To == sampler.StateClose && (tr.Local.Port() == port || tr.Remote.Port() == port) {
			closed[tr.Cookie] = true
		}
	}
	// ours: the client ports of the test's connections. Other tests'
	// sockets on this machine may share the listener's port number (a
	// client of theirs that held it until just before it was handed to
	// ln, or one on ::1): their releases are not this test's to judge.
	var oursMu sync.Mutex
	ours := map[uint16]bool{}
	isOurs := func(s *sampler.Socket) bool {
		oursMu.Lock()
		defer oursMu.Unlock()
		switch {
		case !s.Local.Addr().Is4() || !s.Local.Addr().IsLoopback():
			return false
		case s.Local.Port() == port:
			return ours[s.Remote.Port()]
		case s.Remote.Port() == port:
			return ours[s.Local.Port()]
		}
		return false
	}
	const n = 300
	type result struct{ released, overtaken int }
	res := make(chan result, 1)
	go func() {
		var r result
		for r.released < 2*n {
			select {
			case tr := <-trans:
				seen(tr)
			case b := <-batches:
				for _, tr := range b {
					seen(tr)
				}
			case rel := <-rels:
				// The poller's rule: what is already queued came first.
				for more := true; more; {
					select {
					case tr := <-trans:
						seen(tr)
					case b := <-batches:
						for _, tr := range b {
							seen(tr)
						}
					default:
						more = false
					}
				}
				if rel.Socket.Proto != sampler.TCP || !isOurs(&rel.Socket) {
					continue
				}
				r.released++
				if !closed[rel.Socket.Cookie] {
					r.overtaken++
				}
			case <-ctx.Done():
				res <- r
				return
			}
		}
		res <- r
	}()
	for i := 0; i < n; i++ {
		closeConnSaying(t, ln, i%2 == 0, func(p uint16) {
			oursMu.Lock()
			ours[p] = true
			oursMu.Unlock()
		})
	}
	// Netlink may drop destroy reports on a loaded machine (it counts
	// each overflow): take what arrived within a bound (a hang, not a
	// measurement).
	var r result
	select {
	case r = <-res:
	case <-time.After(10 * time.Second):
		cancel()
		r = <-res
	}
	released, overtaken := r.released, r.overtaken
	var lost uint64
	if l, ok := s.inner.(interface{ Lost() uint64 }); ok {
		lost = l.Lost()
	}
	if released < 2*n && lost == 0 {
		t.Fatalf("only %d of %d releases reported, and netlink lost none", released, 2*n)
	}
	t.Logf("%d of %d releases reported (netlink receive-buffer overflows: %d; catch-ups that gave up: %d)", released, 2*n, lost, s.lateCatchUps.Load())
	if dropped := s.Lost(); overtaken != 0 && dropped > 0 {
		t.Skipf("the kernel dropped %d records while the test ran (a machine too busy for the reader): %d releases had no transition to CLOSE before them", dropped, overtaken)
	}
	if overtaken != 0 {
		t.Errorf("%d of %d releases came before their socket's transition to CLOSE", overtaken, released)
	}
}
