package procowner

import (
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// cpuClock reads this process's CPU time (user+system, every thread: the
// garbage collector's work counts too).
func cpuClock(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs op b.N times and reports CPU time and sockets per op.
func measure(b *testing.B, op func() int) {
	b.Helper()
	op() // warm caches and buffers outside the count
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuClock(b)
	var socks int
	for i := 0; i < b.N; i++ {
		socks = op()
	}
	cpu := cpuClock(b) - cpu0
	b.StopTimer()
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(socks), "sockets")
}

// holdInChild opens n loopback connections and hands their accepted ends
// to a child (sleep) that holds them, so the child has n socket fds and a
// few more; it returns the child's pid. Ours ends are closed at cleanup.
func holdInChild(b *testing.B, n int) int32 {
	b.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Skipf("no loopback here: %v", err)
	}
	defer ln.Close()
	files := make([]*os.File, 0, n)
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			b.Fatalf("connection %d of %d: %v", i+1, n, err)
		}
		b.Cleanup(func() { c.Close() })
		s, err := ln.Accept()
		if err != nil {
			b.Fatal(err)
		}
		f, err := s.(*net.TCPConn).File()
		s.Close()
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, f)
	}
	cmd := exec.Command("sleep", "3600")
	cmd.ExtraFiles = files
	if err := cmd.Start(); err != nil {
		b.Skipf("no sleep to hold sockets: %v", err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return int32(cmd.Process.Pid)
}
