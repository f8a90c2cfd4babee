//go:build linux

package sockdiag

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
)

// BenchmarkWatchAt1000PerSecond: one op is one short loopback connection,
// paced at 1,000 a second, the server closing first. It reports the share of
// client sockets whose release was heard, the share of server sockets
// reported in TIME_WAIT (each needed an exact lookup), and buffer overflows.
// Run with -benchtime 10000x for the 10 s of the fidelity target.
func BenchmarkWatchAt1000PerSecond(b *testing.B) {
	src := newSource(b)
	w, err := src.subscribe(destroyGroups)
	if err != nil {
		b.Skipf("kernel refused the socket-destroy subscription: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan sampler.Release, 4096)
	done := make(chan error, 1)
	tid := make(chan int, 1)
	go func() {
		// On a thread of its own, so that thread's CPU time is the
		// watcher's: receiving reports, lookups, parsing.
		runtime.LockOSThread()
		tid <- unix.Gettid()
		done <- w.run(ctx, out)
	}()
	watcherTID := <-tid
	defer func() { cancel(); w.close(); <-done }()

	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	lnPort := ln.Addr().(*net.TCPAddr).Port
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	clientPorts := map[uint16]bool{}
	var clientSeen, serverTW, serverSeen int
	count := func(r sampler.Release) {
		s := r.Socket
		switch {
		case int(s.Remote.Port()) == lnPort && clientPorts[s.Local.Port()]:
			clientSeen++
			delete(clientPorts, s.Local.Port()) // count each port once
		case int(s.Local.Port()) == lnPort && s.Remote.Port() != 0:
			serverSeen++
			if s.State == sampler.StateTimeWait {
				serverTW++
			}
		}
	}
	b.ResetTimer()
	start := time.Now()
	var buf [1]byte
	made := 0
	for i := 0; i < b.N; i++ {
		if wait := time.Until(start.Add(time.Duration(i) * time.Millisecond)); wait > 0 {
			time.Sleep(wait)
		}
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			continue
		}
		clientPorts[uint16(c.LocalAddr().(*net.TCPAddr).Port)] = true
		_, _ = c.Read(buf[:])
		c.Close()
		made++
		for drained := false; !drained; {
			select {
			case r := <-out:
				count(r)
			default:
				drained = true
			}
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	// Let the last reports arrive.
	for quiet := time.After(2 * time.Second); ; {
		select {
		case r := <-out:
			count(r)
			continue
		case <-quiet:
		}
		break
	}
	if made > 0 {
		b.ReportMetric(100*float64(clientSeen)/float64(made), "client-seen-%")
		b.ReportMetric(100*float64(serverTW)/float64(made), "server-timewait-%")
		b.ReportMetric(100*float64(serverSeen)/float64(made), "server-seen-%")
	}
	b.ReportMetric(float64(src.Lost()), "overflows")
	if cpu, err := threadCPU(watcherTID); err == nil {
		b.ReportMetric(100*cpu.Seconds()/(elapsed+2*time.Second).Seconds(), "watcher-cpu-%")
	}
}

// threadCPU reads a thread's user+system time from /proc/self/task/TID/stat.
func threadCPU(tid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/stat", tid))
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("short stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad stat")
	}
	return time.Duration(ut+st) * time.Second / 100, nil // USER_HZ is 100 on Linux
}
