//go:build linux

package poll_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/poll"
	"github.com/porttop/porttop/sampler/sockdiag"
)

// No stream may show a TCP transition outside TCP's state machine, in
// either close order (issue 10 item 4): with the client closing first and
// the server a moment later, the client's socket is orphaned in FIN_WAIT2
// (the kernel frees it for a timewait socket in FIN_WAIT2) and must read
// ESTABLISHED -> FIN_WAIT2 -> TIME_WAIT, never TIME_WAIT -> FIN_WAIT2.
// Real loopback connections, a real kernel, the poller sampling every
// 2 ms while releases arrive.
func TestNoImpossibleTCPTransitionsUnderChurn(t *testing.T) {
	for _, clientFirst := range []bool{true, false} {
		name := "server closes first"
		if clientFirst {
			name = "client closes first"
		}
		t.Run(name, func(t *testing.T) { churnAndCheckTransitions(t, clientFirst) })
	}
}

func churnAndCheckTransitions(t *testing.T, clientFirst bool) {
	src, err := sockdiag.New()
	if err != nil {
		t.Skipf("netlink source unavailable here: %v", err)
	}
	t.Cleanup(func() { src.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	accepted := make(chan net.Conn, 64)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()

	p := poll.New(poll.Config{Source: src, Interval: 2 * time.Millisecond})
	p.SetQuery(sampler.Query{Protos: []sampler.Proto{sampler.TCP}, Ports: []sampler.PortRange{{Lo: port, Hi: port}}})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	go p.Run(ctx)

	// 40 connections, 8 at a time; each end closes 30 ms after the other,
	// long enough for samples to see the half-closed states.
	const conns, parallel = 40, 8
	churned := make(chan error, 1)
	go func() {
		var wg sync.WaitGroup
		sem := make(chan struct{}, parallel)
		var mu sync.Mutex
		var firstErr error
		for range conns {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				firstErr = err
				break
			}
			a, ok := <-accepted
			if !ok {
				c.Close()
				break
			}
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				first, second := net.Conn(a), net.Conn(c)
				if clientFirst {
					first, second = c, a
				}
				time.Sleep(10 * time.Millisecond)
				first.Close()
				time.Sleep(30 * time.Millisecond)
				if err := second.Close(); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		time.Sleep(100 * time.Millisecond) // samples see the last TIME_WAITs
		churned <- firstErr
	}()

	var changes, bad int
	for done := false; !done; {
		select {
		case err := <-churned:
			if err != nil {
				t.Fatal(err)
			}
			done = true
		default:
		}
		b, err := p.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range b.Events {
			s := &e.Socket
			if e.Kind != sampler.StateChanged || s.Proto != sampler.TCP || (s.Local.Port() != port && s.Remote.Port() != port) {
				continue
			}
			changes++
			if !sampler.TCPCanReach(e.PrevState, s.State) {
				bad++
				if bad <= 5 {
					t.Errorf("%v -> %v (#%d): %v -> %v, a transition TCP never makes", s.Local, s.Remote, s.Cookie, e.PrevState, s.State)
				}
			}
		}
		p.Recycle(b.Snapshot)
	}
	if bad > 0 {
		t.Errorf("%d of %d state changes impossible", bad, changes)
	}
	if changes == 0 {
		t.Errorf("no state change seen in %d connections closed one end 30 ms before the other", conns)
	}
	t.Logf("%d state changes checked", changes)
}
