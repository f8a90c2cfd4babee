//go:build linux

package tcpwalk

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkWalk times a walk of the machine's established hash wanting
// this process's namespace, with 5,000 loopback connections held here
// (10k sockets), in this process's CPU (the kernel's walk included).
func BenchmarkWalk(b *testing.B) {
	if unix.Geteuid() != 0 {
		b.Skip("the TCP walk loads a BPF program: run as root")
	}
	w, err := Open()
	if err != nil {
		b.Skip("the TCP walk cannot run here: ", err)
	}
	defer w.Close()
	holdPairs(b, 5000)
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/net", &st); err != nil {
		b.Fatal(err)
	}
	netns := []uint64{st.Ino}
	rows := 0
	count := func(*Row) { rows++ }
	for range 3 { // the ring buffer grows to fit
		rows = 0
		if err = w.Walk(netns, count); err == nil {
			break
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	var ru0, ru1 unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru0)
	for b.Loop() {
		rows = 0
		if err := w.Walk(netns, count); err != nil {
			b.Fatal(err)
		}
	}
	unix.Getrusage(unix.RUSAGE_SELF, &ru1)
	cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(rows), "sockets")
}

// BenchmarkOpen times loading the walk program (BTF read, verification,
// attach), in this process's CPU: paid once per Source, at its first
// round that walks.
func BenchmarkOpen(b *testing.B) {
	if unix.Geteuid() != 0 {
		b.Skip("the TCP walk loads a BPF program: run as root")
	}
	var ru0, ru1 unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru0)
	for b.Loop() {
		w, err := Open()
		if err != nil {
			b.Skip("the TCP walk cannot run here: ", err)
		}
		w.Close()
	}
	unix.Getrusage(unix.RUSAGE_SELF, &ru1)
	cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
}
