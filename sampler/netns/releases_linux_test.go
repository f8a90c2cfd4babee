//go:build linux

package netns

import (
	"context"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/nstest"
	"github.com/porttop/porttop/sampler/poll"
)

// Connections made and reset inside a namespace between two samples are
// heard of through that namespace's own release watcher, tagged with it;
// deleting the namespace ends its watcher.
func TestReleasesInEveryNamespace(t *testing.T) {
	nstest.RequireRoot(t)
	name := nstest.Netns(t, "rel", 0, 0)
	n := inNamespace(t, name)
	src, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	goroutines := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan sampler.Release, 1024)
	ended := make(chan error, 1)
	go func() { ended <- src.WatchReleases(ctx, out) }()
	watchers := func() int {
		src.mu.Lock()
		defer src.mu.Unlock()
		if m := src.members[n.Inode]; m != nil && m.watch != nil {
			return 1
		}
		return 0
	}
	for i := 0; watchers() == 0; i++ {
		if i == 200 {
			t.Fatal("no release watcher in the namespace")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // let it subscribe

	ln, client, server := pairIn(t, n, "127.0.0.1:7001")
	port := uint16(client.LocalAddr().(*net.TCPAddr).Port)
	_ = client.(*net.TCPConn).SetLinger(0)
	client.Close()
	server.Close()
	ln.Close()
	deadline := time.After(10 * time.Second)
	for got := false; !got; {
		select {
		case r := <-out:
			if r.Socket.Local.Port() != port {
				continue
			}
			got = true
			if r.Socket.Netns != n.Inode || r.Socket.NetnsName() != name {
				t.Errorf("release of client %d tagged %d %q, want %d %q", port, r.Socket.Netns, r.Socket.NetnsName(), n.Inode, name)
			}
		case err := <-ended:
			t.Fatalf("WatchReleases ended: %v", err)
		case <-deadline:
			t.Fatalf("no release of client %d inside %s", port, name)
		}
	}

	nstest.Run(t, "ip", "netns", "del", name)
	src.mu.Lock()
	src.last = time.Time{} // a discovery is due
	src.mu.Unlock()
	if _, err := src.Sample(context.Background()); err != nil {
		t.Fatal(err)
	}
	if watchers() != 0 {
		t.Error("the deleted namespace's watcher still runs")
	}
	cancel()
	if err := <-ended; err != nil {
		t.Errorf("WatchReleases: %v", err)
	}
	g := runtime.NumGoroutine()
	for i := 0; i < 100 && g > goroutines; i++ { // exiting ones still count a moment
		time.Sleep(10 * time.Millisecond)
		g = runtime.NumGoroutine()
	}
	if g > goroutines {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after watching, %d before:\n%s", g, goroutines, buf[:runtime.Stack(buf, true)])
	}
}

// Churn inside a namespace at 1,000 connections a second, polled every
// second: at least 99% of the namespace's connections are reported opened,
// through its release watcher, though most live and die between samples.
func TestChurnInNamespace(t *testing.T) {
	nstest.RequireRoot(t)
	if testing.Short() {
		t.Skip("churns for 3 s")
	}
	name := nstest.Netns(t, "churn", 0, 0)
	n := inNamespace(t, name)
	var ln net.Listener
	if err := Do(n, func() (err error) { ln, err = net.Listen("tcp4", "127.0.0.1:7002"); return err }); err != nil {
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
	src, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	p := poll.New(poll.Config{Source: src, Interval: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	go p.Run(ctx)
	if _, err := p.Next(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the watchers subscribe

	const rate, seconds = 1000, 3
	opened := map[uint16]bool{} // client ports, true once reported
	err = Do(n, func() error {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for range rate * seconds / (rate / 100) {
			<-tick.C
			for range rate / 100 {
				c, err := net.Dial("tcp4", "127.0.0.1:7002")
				if err != nil {
					return err
				}
				opened[uint16(c.LocalAddr().(*net.TCPAddr).Port)] = false
				_ = c.(*net.TCPConn).SetLinger(0)
				c.Close()
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	reported, other := 0, 0
	wait, stop := context.WithTimeout(ctx, 5*time.Second)
	defer stop()
	for reported < len(opened) {
		b, err := p.Next(wait)
		if err != nil {
			break
		}
		for _, e := range b.Events {
			if e.Kind != sampler.Opened || e.Socket.Proto != sampler.TCP || e.Socket.Local.Port() == 7002 {
				continue
			}
			if e.Socket.Netns != n.Inode {
				other++
				continue
			}
			if seen, ok := opened[e.Socket.Local.Port()]; ok && !seen {
				opened[e.Socket.Local.Port()] = true
				reported++
			}
		}
	}
	t.Logf("%d of %d connections inside %s reported opened (%d opens elsewhere)", reported, len(opened), name, other)
	if reported*100 < len(opened)*99 {
		t.Errorf("%d of %d connections reported opened, want >= 99%%", reported, len(opened))
	}
}
