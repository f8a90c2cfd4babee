package demo

import (
	"bytes"
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the demo's goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestCheck(t *testing.T) {
	for _, rate := range []int{0, -1, MaxRate + 1} {
		if err := (Config{Rate: rate}).Check(); err == nil || !strings.Contains(err.Error(), "--rate") {
			t.Errorf("rate %d: err = %v, want a --rate error", rate, err)
		}
	}
	if err := (Config{Rate: 20}).Check(); err != nil {
		t.Errorf("rate 20: %v", err)
	}
}

func runUntil(t *testing.T, cfg Config, handed uint64) (*Demo, string) {
	t.Helper()
	out := &syncBuffer{}
	cfg.Out = out
	d, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range d.targets {
		ap, err := netip.ParseAddrPort(a.addr)
		if err != nil || !ap.Addr().IsLoopback() {
			t.Fatalf("listener %q is not on loopback", a.addr)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	deadline := time.After(30 * time.Second)
	for d.HandedOut() < handed || !strings.Contains(out.String(), "handed out so far") {
		select {
		case <-deadline:
			cancel()
			t.Fatalf("after 30s only %d handed out; output:\n%s", d.HandedOut(), out)
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return d, out.String()
}

func TestDemoChurnsAndStops(t *testing.T) {
	d, out := runUntil(t, Config{Rate: 200, Every: 10 * time.Millisecond}, 20)
	if d.Open() != 0 {
		t.Errorf("%d client sockets still open after Run returned", d.Open())
	}
	if !strings.HasPrefix(out, "demo: listening on 127.0.0.1:") {
		t.Errorf("output starts %q, want the listening line", out)
	}
	if !strings.Contains(out, "demo: 200 conn/s to 127.0.0.1:") {
		t.Errorf("no progress line in:\n%s", out)
	}
	if !strings.Contains(out, "demo: stopped after ") {
		t.Errorf("no stop line in:\n%s", out)
	}
	if strings.Contains(out, "failed") {
		t.Errorf("connections failed:\n%s", out)
	}
	// The listeners are closed: nothing accepts there any more.
	for _, a := range d.targets {
		if a.network == "tcp" {
			if c, err := (&netDialer).Dial("tcp", a.addr); err == nil {
				c.Close()
				t.Errorf("listener %s still accepts after Run", a.addr)
			}
		}
	}
}

func TestDemoUDP(t *testing.T) {
	d, _ := runUntil(t, Config{Rate: 200, UDP: true, Every: 10 * time.Millisecond}, 10)
	udp := 0
	for _, a := range d.targets {
		if a.network == "udp" {
			udp++
		}
	}
	if udp == 0 {
		t.Errorf("--udp opened no UDP listener: %v", d.Addrs())
	}
}
