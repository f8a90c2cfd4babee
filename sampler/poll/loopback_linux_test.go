//go:build linux

package poll_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/poll"
	"github.com/porttop/porttop/sampler/sockdiag"
)

// startLoopbackPoller runs a poller every interval over a netlink source,
// beside a loopback listener at addr that accepts and closes at once (so
// the server side closes first); it returns after the first batch. All of
// it ends with the test (within 30 s at most). Skips where netlink is not
// available.
func startLoopbackPoller(t *testing.T, interval time.Duration) (src *sockdiag.Source, p *poll.Poller, ctx context.Context, first sampler.Batch, addr string) {
	t.Helper()
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
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	p = poll.New(poll.Config{Source: src, Interval: interval})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	go p.Run(ctx)
	first, err = p.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return src, p, ctx, first, ln.Addr().String()
}
