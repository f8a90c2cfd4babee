//go:build linux

package ebpf

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// TestShortLivedClientsAreNamedAtFirstSight is the hand-out a user sees:
// 1,000 client processes each make one loopback connection, close first
// and exit; a sampler polling every 100 ms, as watch does, must see each
// client's socket, the first time it shows, with that client's pid and
// name (>= 99.9%). Netlink alone names almost none: they are gone.
func TestShortLivedClientsAreNamedAtFirstSight(t *testing.T) {
	requireRoot(t)
	n := 1000
	if testing.Short() || raceOn {
		n = 100
	}
	s := openSource(t)
	ln := closingServer(t)
	server := netip.MustParseAddrPort(ln.Addr().String())

	// The poller's view: each client socket as the first sample showed it
	// (by cookie: a four-tuple comes back once its TIME_WAIT is reused),
	// with when that sample ended.
	type sight struct {
		at      time.Time
		pid     int32
		process string
		state   sampler.State
		cookie  uint64
	}
	var mu sync.Mutex
	first := map[uint64]sight{}
	byLocal := map[netip.AddrPort][]uint64{}
	ctx, cancel := context.WithCancel(context.Background())
	sampled := make(chan struct{})
	sample := func() {
		snap, err := s.Sample(context.Background())
		if err != nil {
			return
		}
		at := time.Now()
		mu.Lock()
		for _, sk := range snap.Sockets {
			if sk.Proto == sampler.TCP && sk.Remote == server {
				if _, ok := first[sk.Cookie]; !ok {
					first[sk.Cookie] = sight{at, sk.PID, sk.Process, sk.State, sk.Cookie}
					byLocal[sk.Local] = append(byLocal[sk.Local], sk.Cookie)
				}
			}
		}
		mu.Unlock()
	}
	go func() {
		defer close(sampled)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				sample()
			case <-ctx.Done():
				return
			}
		}
	}()

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	type client struct {
		start time.Time
		pid   int32
		local netip.AddrPort
	}
	clients := make([]client, n)
	var wg sync.WaitGroup
	work := make(chan int)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				start := time.Now()
				cmd := exec.Command(self)
				cmd.Env = append(os.Environ(), clientEnv+"="+server.String())
				out, err := cmd.Output()
				if err != nil {
					continue
				}
				local, err := netip.ParseAddrPort(strings.TrimSpace(string(out)))
				if err != nil {
					continue
				}
				clients[i] = client{start, int32(cmd.Process.Pid), local}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	time.Sleep(300 * time.Millisecond) // a few more of the sampler's ticks
	cancel()
	<-sampled
	sample() // the last sockets, if the ticks missed them

	comm := ownComm(t)
	// A later client can be given the same local port (loopback reuses a
	// TIME_WAIT pair at once): a client's sockets are those sighted after it
	// started and before the next client on its port started.
	until := make([]time.Time, len(clients))
	for i, c := range clients {
		for _, d := range clients {
			if d.pid != 0 && d.pid != c.pid && d.local == c.local && d.start.After(c.start) &&
				(until[i].IsZero() || d.start.Before(until[i])) {
				until[i] = d.start
			}
		}
	}
	ran, named, unseen := 0, 0, 0
	var wrong []string
	for i, c := range clients {
		if c.pid == 0 {
			continue
		}
		ran++
		// Its socket: the first with its address in a sample that ended
		// after it started (and before its port's next client started).
		var got sight
		ok := false
		for _, ck := range byLocal[c.local] {
			f := first[ck]
			if f.at.Before(c.start) || !until[i].IsZero() && !f.at.Before(until[i]) {
				continue
			}
			if !ok || f.at.Before(got.at) {
				got, ok = f, true
			}
		}
		switch {
		case !ok:
			unseen++
		case got.pid == c.pid && got.process == comm:
			named++
		default:
			if len(wrong) < 5 {
				wrong = append(wrong, fmt.Sprintf("%v: pid %d %q in %v, want %d (cookie %d, sighted %v after it started): %v", c.local, got.pid, got.process, got.state, c.pid, got.cookie, got.at.Sub(c.start), attributorSays(s, got.cookie)))
			}
		}
	}
	t.Logf("kernel records dropped: %d; catch-ups that gave up: %d", s.Lost(), s.lateCatchUps.Load())
	t.Logf("%d client processes ran; %d of the %d sockets seen were named with the right process at first sight (%d not seen in time)", ran, named, ran-unseen, unseen)
	if lost := s.Lost(); lost > 0 {
		// Every namespace's churn goes through the ring: on a machine
		// this busy the reader fell behind, and what it lost is lost.
		t.Skipf("the kernel dropped %d records (the machine is too busy for the reader): the measurement does not hold", lost)
	}
	if ran < n*9/10 {
		t.Fatalf("only %d of %d clients ran", ran, n)
	}
	if seen := ran - unseen; named*1000 < seen*999 {
		t.Errorf("%d of %d named (< 99.9%%); e.g. %v", named, seen, wrong)
	}
}

// attributorSays is what the Attributor knows of a cookie now.
func attributorSays(s *Source, c uint64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.attr.byCookie[c]
	if !ok {
		return "no entry"
	}
	if o := s.attr.owner(v); o != nil {
		return fmt.Sprintf("owner %+v", *o)
	}
	return "stale entry"
}
