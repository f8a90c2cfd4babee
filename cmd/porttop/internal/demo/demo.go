// Package demo makes port churn on purpose, on loopback only, so that
// porttop has something to show in a classroom or a screenshot: a listener
// on 127.0.0.1 (and ::1 when the machine has it) and clients that connect,
// hold their connection a moment and close, at a chosen rate. Every client
// connection takes an ephemeral port; closing it first leaves that port in
// TIME_WAIT on the client's side, as in real life.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Rate limits: below one a second nothing much happens; above MaxRate a demo
// starts to compete with the machine's real work.
const (
	MinRate = 1
	MaxRate = 1000
)

// Config is a demo's shape.
type Config struct {
	// Rate is connections a second.
	Rate int
	// UDP makes every other client a connected UDP socket instead of TCP.
	UDP bool
	// Out receives one progress line a second; nil discards them.
	Out io.Writer
	// Every is how often progress is printed; 0 means a second.
	Every time.Duration
}

// Check says what is wrong with c, in words for a command line.
func (c Config) Check() error {
	if c.Rate < MinRate || c.Rate > MaxRate {
		return fmt.Errorf("--rate %d is out of range: choose %d to %d connections a second", c.Rate, MinRate, MaxRate)
	}
	return nil
}

// Demo is a running demo.
type Demo struct {
	cfg     Config
	targets []target
	handed  atomic.Uint64  // client sockets opened so far
	live    atomic.Int64   // client sockets open now
	failed  atomic.Uint64  // dials that failed
	lastErr atomic.Value   // string: the latest dial error
	servers sync.WaitGroup // listener goroutines
	clients sync.WaitGroup // client goroutines
}

// target is one loopback listener the clients use.
type target struct {
	network string // "tcp" or "udp"
	addr    string
	closer  io.Closer
}

// Start opens the listeners; nothing connects until Run.
func Start(cfg Config) (*Demo, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Every <= 0 {
		cfg.Every = time.Second
	}
	d := &Demo{cfg: cfg}
	for _, host := range []string{"127.0.0.1", "::1"} {
		if err := d.listenTCP(host); err != nil {
			if host == "127.0.0.1" {
				d.closeListeners()
				return nil, fmt.Errorf("cannot listen on loopback: %w", err)
			}
			continue // no IPv6 loopback here: IPv4 alone will do
		}
		if cfg.UDP {
			if err := d.listenUDP(host); err != nil && host == "127.0.0.1" {
				d.closeListeners()
				return nil, fmt.Errorf("cannot listen on loopback (udp): %w", err)
			}
		}
	}
	return d, nil
}

func (d *Demo) listenTCP(host string) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return err
	}
	d.targets = append(d.targets, target{"tcp", ln.Addr().String(), ln})
	d.servers.Add(1)
	go func() {
		defer d.servers.Done()
		serveTCP(ln)
	}()
	return nil
}

// serveTCP reads each connection to its end, then closes it, so the client
// always closes first.
func serveTCP(ln net.Listener) {
	var conns sync.WaitGroup
	defer conns.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		conns.Add(1)
		go func() {
			defer conns.Done()
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			_, _ = io.Copy(io.Discard, c)
		}()
	}
}

func (d *Demo) listenUDP(host string) error {
	pc, err := net.ListenPacket("udp", net.JoinHostPort(host, "0"))
	if err != nil {
		return err
	}
	d.targets = append(d.targets, target{"udp", pc.LocalAddr().String(), pc})
	d.servers.Add(1)
	go func() {
		defer d.servers.Done()
		buf := make([]byte, 512)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return nil
}

func (d *Demo) closeListeners() {
	for _, t := range d.targets {
		t.closer.Close()
	}
}

// Addrs are the listeners' addresses, "127.0.0.1:41235 (tcp)" and so on.
func (d *Demo) Addrs() []string {
	out := make([]string, len(d.targets))
	for i, t := range d.targets {
		out[i] = t.addr + " (" + t.network + ")"
	}
	return out
}

// HandedOut is how many client sockets (each an ephemeral port) were opened.
func (d *Demo) HandedOut() uint64 { return d.handed.Load() }

// Open is how many client sockets are open now.
func (d *Demo) Open() int64 { return d.live.Load() }

// Run connects and closes at the configured rate until ctx ends, then closes
// everything it opened and returns. It prints a line a second to Config.Out;
// a failed write ends it too, with that error (the reader went away, or a
// full disk behind "> file").
func (d *Demo) Run(ctx context.Context) error {
	defer func() {
		d.clients.Wait()
		d.closeListeners()
		d.servers.Wait()
	}()
	if _, err := fmt.Fprintf(d.cfg.Out, "demo: listening on %s; clients connect, hold a moment and close, %d a second; ctrl+c stops\n",
		strings.Join(d.Addrs(), " and "), d.cfg.Rate); err != nil {
		return err
	}
	tick := time.NewTicker(time.Second / time.Duration(d.cfg.Rate))
	defer tick.Stop()
	report := time.NewTicker(d.cfg.Every)
	defer report.Stop()
	// Bound what is open at once: a hold averages a third of a second, so
	// this is only reached when the machine cannot keep up.
	maxOpen := int64(max(16, 2*d.cfg.Rate))
	for n := 0; ; {
		select {
		case <-ctx.Done():
			d.clients.Wait()
			_, err := fmt.Fprintf(d.cfg.Out, "demo: stopped after %d connections\n", d.HandedOut())
			return err
		case <-report.C:
			if err := d.printProgress(); err != nil {
				return err
			}
		case <-tick.C:
			if d.live.Load() >= maxOpen {
				continue
			}
			t := d.pick(n)
			n++
			d.live.Add(1)
			d.clients.Add(1)
			go func() {
				defer d.clients.Done()
				defer d.live.Add(-1)
				d.client(ctx, t)
			}()
		}
	}
}

// pick spreads clients over the listeners: TCP and UDP alternate when both
// run, and IPv4 and IPv6 take turns within each.
func (d *Demo) pick(n int) target {
	return d.targets[n%len(d.targets)]
}

func (d *Demo) printProgress() error {
	to := d.targets[0].addr // 127.0.0.1, always opened first
	if more := len(d.targets) - 1; more > 0 {
		to += fmt.Sprintf(" (+%d more)", more)
	}
	line := fmt.Sprintf("demo: %d conn/s to %s, %d handed out so far, %d open now",
		d.cfg.Rate, to, d.HandedOut(), d.Open())
	if f := d.failed.Load(); f > 0 {
		line += fmt.Sprintf(", %d failed (last: %v)", f, d.lastErr.Load())
	}
	_, err := fmt.Fprintln(d.cfg.Out, line)
	return err
}

// client opens one socket to t, says hello, holds it and closes it.
func (d *Demo) client(ctx context.Context, t target) {
	dialer := net.Dialer{Timeout: 2 * time.Second}
	c, err := dialer.DialContext(ctx, t.network, t.addr)
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
			d.failed.Add(1)
			d.lastErr.Store(err.Error())
		}
		return
	}
	d.handed.Add(1)
	defer c.Close()
	_, _ = c.Write([]byte("porttop demo\n"))
	hold := time.NewTimer(holdTime())
	defer hold.Stop()
	select {
	case <-ctx.Done():
	case <-hold.C:
	}
}

// holdTime is mostly short with a long tail, so the table shows both quick
// hand-outs and connections that linger.
func holdTime() time.Duration {
	h := 20*time.Millisecond + time.Duration(rand.ExpFloat64()*float64(300*time.Millisecond))
	return min(h, 3*time.Second)
}
