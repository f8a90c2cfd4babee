//go:build linux

package poll_test

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPollerEventsInTimeOrderUnderChurn samples often while loopback
// clients connect and close, so that releases keep arriving while dumps
// are in flight: every event the poller publishes must be stamped no
// earlier than the one before it.
func TestPollerEventsInTimeOrderUnderChurn(t *testing.T) {
	_, p, ctx, first, addr := startLoopbackPoller(t, 2*time.Millisecond)
	if slices.ContainsFunc(first.Notes, func(n string) bool { return strings.HasPrefix(n, "release events unavailable") }) {
		t.Skipf("no release reports here (%q)", first.Notes)
	}

	churned := make(chan error, 1)
	go func() {
		for range 400 {
			c, err := net.Dial("tcp", addr)
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
