//go:build linux

package netns

import (
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/nstest"
	"github.com/porttop/porttop/sampler/poll"
	"github.com/porttop/porttop/sampler/sockdiag"
)

// In porttop's own namespace the multi-namespace source loses nothing
// against plain netlink: the same sockets with the same owners, every
// short-lived connection reported opened and closed (releases), notes and
// kernel counters that grow at least as much. This is what lets "auto"
// take it where it is permitted.
func TestOwnNamespaceLosesNothingAgainstNetlink(t *testing.T) {
	nstest.RequireRoot(t)
	if testing.Short() {
		t.Skip("churns for a second")
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
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
	lport := uint16(ln.Addr().(*net.TCPAddr).Port)
	held, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	// The server closes at once: its socket goes FIN_WAIT1, then
	// FIN_WAIT2 as the client's ACK comes back. Let that settle before
	// both sources read the table, or they may see it on either side.
	_ = held.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := held.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("the held connection: %v, want the server's close (EOF)", err)
	}
	time.Sleep(100 * time.Millisecond)

	nl, err := sockdiag.New()
	if err != nil {
		t.Fatal(err)
	}
	all, err := New()
	if err != nil {
		nl.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pollers := map[string]*poll.Poller{
		"netlink": poll.New(poll.Config{Source: nl, Interval: time.Second}),
		"netns":   poll.New(poll.Config{Source: all, Interval: time.Second}),
	}
	tables := map[string][]string{}
	before := map[string]uint64{} // the kernel's opens, as the first sample read them
	for name, p := range pollers {
		go p.Run(ctx)
		b, err := p.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tables[name] = ownTable(b.Snapshot, lport)
		if b.Kernel == nil {
			t.Fatalf("%s: no kernel counters", name)
		}
		before[name] = b.Kernel.ActiveOpens + b.Kernel.PassiveOpens
	}
	defer nl.Close()
	defer all.Close()
	if len(tables["netlink"]) != 3 || !slices.Equal(tables["netlink"], tables["netns"]) {
		t.Errorf("first tables differ:\nnetlink %q\nnetns   %q", tables["netlink"], tables["netns"])
	}
	time.Sleep(200 * time.Millisecond) // the watchers subscribe

	clients := map[uint16]bool{}
	for range 500 {
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		clients[uint16(c.LocalAddr().(*net.TCPAddr).Port)] = true
		_ = c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}
	for name, p := range pollers {
		opened, closed := map[uint16]bool{}, map[uint16]bool{}
		var notes []string
		grew := uint64(0)
		wait, stop := context.WithTimeout(ctx, 5*time.Second)
		for len(opened) < len(clients) || len(closed) < len(clients) || grew < 2*uint64(len(clients)) {
			b, err := p.Next(wait)
			if err != nil {
				break
			}
			notes = b.Notes
			if b.Kernel != nil {
				grew = b.Kernel.ActiveOpens + b.Kernel.PassiveOpens - before[name]
			}
			for _, e := range b.Events {
				port := e.Socket.Local.Port()
				if e.Socket.Proto != sampler.TCP || !clients[port] {
					continue
				}
				switch e.Kind {
				case sampler.Opened:
					opened[port] = true
				case sampler.Closed:
					closed[port] = true
				}
			}
		}
		stop()
		t.Logf("%s: %d of %d clients reported opened, %d closed; kernel's opens grew %d; notes %q", name, len(opened), len(clients), len(closed), grew, notes)
		if len(opened) < len(clients) || len(closed) < len(clients) {
			t.Errorf("%s: %d of %d clients reported opened, %d closed", name, len(opened), len(clients), len(closed))
		}
		if grew < 2*uint64(len(clients)) {
			t.Errorf("%s: the kernel's counters grew by %d, want >= %d (both ends of each client)", name, grew, 2*len(clients))
		}
	}
}

// ownTable lists, sorted, the sockets at port lport in porttop's namespace
// with their owners.
func ownTable(s sampler.Snapshot, lport uint16) []string {
	var out []string
	for _, k := range s.Sockets {
		if k.Local.Port() == lport || k.Remote.Port() == lport {
			out = append(out, fmt.Sprintf("%v %v %v %v pid %d", k.Proto, k.Local, k.Remote, k.State, k.PID))
		}
	}
	slices.Sort(out)
	return out
}
