package main

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestSourceEBPFUnavailableExits2: forcing the ebpf source where it cannot
// load (not Linux, or not permitted) is bad input: one line saying why and
// what would enable it, exit 2, nothing on stdout.
func TestSourceEBPFUnavailableExits2(t *testing.T) {
	if runtime.GOOS == "linux" && os.Geteuid() == 0 {
		t.Skip("running as root, where the ebpf source loads (CI runs the suite again as uid 65534)")
	}
	r := runPorttop(t, "watch", "--source", "ebpf")
	want := "ebpf unavailable"
	if runtime.GOOS == "linux" {
		want = "CAP_BPF"
	}
	checkOneLine(t, r, want)
}

// TestWatchSourceEBPFAsRoot: as root the ebpf source loads, streams and
// says so in the header line.
func TestWatchSourceEBPFAsRoot(t *testing.T) {
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("loading BPF programs needs Linux and root (or CAP_BPF and CAP_PERFMON)")
	}
	s := startPorttop(t, "watch", "--source", "ebpf")
	if line := s.next(10 * time.Second); !strings.Contains(line, `"source":"ebpf"`) {
		t.Fatalf("header %q does not name the ebpf source", line)
	}
}
