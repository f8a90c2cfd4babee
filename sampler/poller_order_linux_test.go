//go:build linux

package sampler_test

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/sockdiag"
)

// TestPollerEventsInTimeOrderUnderChurn samples often while loopback
// clients connect and close, so that releases keep arriving while dumps
// are in flight: every event the poller publishes must be stamped no
// earlier than the one before it.
func TestPollerEventsInTimeOrderUnderChurn(t *testing.T) {
	src, err := sockdiag.New()
	if err != nil {
		t.Skipf("netlink source unavailable here: %v", err)
	}
	defer src.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()

	p := sampler.NewPoller(sampler.PollerConfig{Source: src, Interval: 2 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go p.Run(ctx)
	first, err := p.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(first.Notes, func(n string) bool { return strings.HasPrefix(n, "release events unavailable") }) {
		t.Skipf("no release reports here (%q)", first.Notes)
	}

	churned := make(chan error, 1)
	go func() {
		for range 400 {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				churned <- err
				return
			}
			c.Close()
		}
		churned <- nil
	}()
	var last time.Time
	var out, events int
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
			events++
			if e.Time.Before(last) {
				out++
				if out <= 5 {
					t.Errorf("%s %v -> %v stamped %s, %v before the event it follows", e.Kind, e.Socket.Local, e.Socket.Remote,
						e.Time.Format("15:04:05.000000"), last.Sub(e.Time))
				}
			}
			if e.Time.After(last) {
				last = e.Time
			}
		}
	}
	if out > 0 {
		t.Errorf("%d of %d events out of time order", out, events)
	}
}
