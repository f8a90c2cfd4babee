//go:build linux

package ebpf

import (
	"context"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	namespaces "github.com/porttop/porttop/sampler/netns"
	"github.com/porttop/porttop/sampler/nstest"
)

// A catch-up left to the reader's pause (BarrierInPause, what a burst of
// release reports asks for) gets there by the reader's own next round:
// the transitions written before it are read once it returns, whether
// records keep coming (the reader reads again as its pause ends) or stop
// (it then finds the ring empty and marks every call made meanwhile
// passed before it blocks in epoll). None may give up at its bound. The
// programs write the records of a namespace of the test's own alone, so
// that no other program's connections wake the reader.
func TestBarrierInPauseIsPassedByTheReadersOwnRound(t *testing.T) {
	nstest.RequireRoot(t)
	name := nstest.Netns(t, "barrier", 0, 0)
	var st syscall.Stat_t
	if err := syscall.Stat("/run/netns/"+name, &st); err != nil {
		t.Fatal(err)
	}
	p, err := open(options{only: uint32(st.Ino)})
	if err != nil {
		t.Fatalf("open as root: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	connect := inNetns(t, name)
	var mu sync.Mutex
	seen := map[uint16]bool{} // local ports of the SYN_SENT -> ESTABLISHED records read
	d := Decoder{Clock: p.clock}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		var tr sampler.Transition
		var pf sampler.PortFailure
		done <- p.ReadBursts(ctx, func(raw []byte) {
			if isFail, err := d.Decode(raw, &tr, &pf); err == nil && !isFail && tr.From == sampler.StateSynSent && tr.To == sampler.StateEstablished {
				mu.Lock()
				seen[tr.Local.Port()] = true
				mu.Unlock()
			}
		}, func() {})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ReadBursts: %v", err)
		}
	})
	paused := 0
	for round := range 40 {
		port := connect()
		if round%4 == 3 {
			time.Sleep(coalesce / 2) // often inside the reader's pause
		}
		if p.pausing.Load() {
			paused++
		}
		if !p.BarrierInPause(10 * time.Second) {
			t.Fatalf("round %d: the catch-up gave up", round)
		}
		mu.Lock()
		ok := seen[port]
		mu.Unlock()
		if !ok {
			t.Fatalf("round %d: past the catch-up, the connect from port %d not read", round, port)
		}
	}
	// Nothing comes any more: the reader ends its pause and waits in epoll.
	time.Sleep(2 * coalesce)
	for i := range 3 {
		if !p.BarrierInPause(10 * time.Second) {
			t.Fatalf("idle, call %d: the catch-up gave up", i)
		}
	}
	t.Logf("%d of 40 catch-ups began while the reader paused", paused)
}

// inNetns returns a function that makes one loopback connection inside
// namespace name (from an OS thread inside it, netns.Do's, that serves
// the test until it ends) and returns the client's port once both ends
// are closed.
func inNetns(t *testing.T, name string) func() uint16 {
	t.Helper()
	n := namedNetns(t, name)
	ask, ports, errs := make(chan bool), make(chan uint16), make(chan error, 1)
	go func() {
		err := namespaces.Do(n, func() error {
			ln, err := net.Listen("tcp4", "127.0.0.1:0")
			errs <- err
			if err != nil {
				return nil
			}
			defer ln.Close()
			for clientFirst := range ask {
				ports <- closeOne(ln, clientFirst)
			}
			return nil
		})
		if err != nil {
			errs <- err // Do could not enter n
		}
	}()
	if err := <-errs; err != nil {
		t.Fatalf("entering namespace %s: %v", name, err)
	}
	t.Cleanup(func() { close(ask) })
	round := 0
	return func() uint16 {
		round++
		ask <- round%2 == 0
		port := <-ports
		if port == 0 {
			t.Fatal("no connection could be made in the namespace")
		}
		return port
	}
}

// closeOne makes one connection to ln and closes it, the client or the
// server first; it returns the client's port, 0 when it could not.
func closeOne(ln net.Listener, clientFirst bool) uint16 {
	client, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		return 0
	}
	server, err := ln.Accept()
	if err != nil {
		client.Close()
		return 0
	}
	first, second := server, client
	if clientFirst {
		first, second = client, server
	}
	first.Close()
	_, _ = io.Copy(io.Discard, second)
	second.Close()
	return uint16(client.LocalAddr().(*net.TCPAddr).Port)
}

// namedNetns is the `ip netns` namespace called name, from a discovery.
func namedNetns(t *testing.T, name string) namespaces.NS {
	t.Helper()
	list, err := namespaces.Discover()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range list {
		if n.Name == name {
			return n
		}
	}
	t.Fatalf("namespace %s not discovered", name)
	return namespaces.NS{}
}
