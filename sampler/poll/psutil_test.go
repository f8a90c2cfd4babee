package poll_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/poll"
	"github.com/porttop/porttop/sampler/psutil"
)

// TestPollerSeesLoopbackClient runs the poller over the real table: a client
// connecting to a listener this test opens must be reported opened, then
// closed, by its own local port.
func TestPollerSeesLoopbackClient(t *testing.T) {
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
			defer c.Close()
		}
	}()

	p := poll.New(poll.Config{Source: psutil.New(), Interval: 20 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go p.Run(ctx)
	if b, err := p.Next(ctx); err != nil || b.Err != nil {
		t.Fatalf("first batch: %v %v", err, b.Err)
	}

	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	id := sampler.ID{
		Proto:  sampler.TCP,
		Local:  sampler.Unmap(client.LocalAddr().(*net.TCPAddr).AddrPort()),
		Remote: sampler.Unmap(client.RemoteAddr().(*net.TCPAddr).AddrPort()),
	}
	opened := waitFor(ctx, t, p, sampler.Opened, id)
	if opened.Existing || opened.Socket.State != sampler.StateEstablished {
		t.Errorf("open: existing %v state %v, want a new ESTABLISHED socket", opened.Existing, opened.Socket.State)
	}

	// Reset rather than close politely, so the client's end skips TIME_WAIT
	// and leaves the table at once.
	if err := client.(*net.TCPConn).SetLinger(0); err != nil {
		t.Fatal(err)
	}
	client.Close()
	closed := waitFor(ctx, t, p, sampler.Closed, id)
	if closed.Held <= 0 || closed.Socket.Since != opened.Socket.Since {
		t.Errorf("close: held %v since %v, want a positive hold from the open at %v", closed.Held, closed.Socket.Since, opened.Socket.Since)
	}
}

// waitFor reads batches until an event of kind for id arrives or ctx ends.
func waitFor(ctx context.Context, t *testing.T, p *poll.Poller, kind sampler.EventKind, id sampler.ID) sampler.Event {
	t.Helper()
	for {
		b, err := p.Next(ctx)
		if err != nil {
			t.Fatalf("no %v event for %v -> %v: %v", kind, id.Local, id.Remote, err)
		}
		if b.Err != nil {
			t.Logf("sample failed: %v", b.Err)
		}
		for _, e := range b.Events {
			if e.Kind == kind && e.Socket.ID == id {
				return e
			}
		}
	}
}
