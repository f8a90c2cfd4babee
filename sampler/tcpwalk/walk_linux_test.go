//go:build linux

package tcpwalk

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// openOrSkip opens a Walker, skipping with the reason a user would read
// when this machine cannot run it.
func openOrSkip(t *testing.T) *Walker {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the TCP walk loads a BPF program: run as root")
	}
	w, err := Open()
	if err != nil {
		t.Skip("the TCP walk cannot run here: ", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// selfNetns is this process's network namespace's inode.
func selfNetns(t *testing.T) []uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/net", &st); err != nil {
		t.Fatal(err)
	}
	return []uint64{st.Ino}
}

// holdPairs holds n loopback connections (2n sockets) until Cleanup.
func holdPairs(t testing.TB, n int) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	for range n {
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(); s.Close() })
	}
}

// A ring buffer too small for the table in one go: the walk goes in
// rounds of buckets that fit it, and the ring does not grow (a reader
// maps all of it, resident: a ring grown for 100k sockets was 64 MB of
// porttop's memory during walks). A round that overflows it makes its
// walk ErrIncomplete and the next walk's rounds smaller.
func TestSmallRingWalksInRounds(t *testing.T) {
	w := openOrSkip(t)
	holdPairs(t, 200)
	page := os.Getpagesize()
	if err := w.load(page); err != nil {
		t.Fatal(err)
	}
	perRing := page / (recordSize + 8)
	rows := 0
	count := func(*Row) { rows++ }
	var err error
	for i := 0; ; i++ {
		rows, w.rounds = 0, 0
		if err = w.Walk(selfNetns(t), count); err == nil {
			break
		}
		if !errors.Is(err, ErrIncomplete) || i == 5 {
			t.Fatalf("walk %d: %v", i, err)
		}
		t.Logf("walk %d: %v", i, err)
	}
	if rows < 400 {
		t.Fatalf("a complete walk passed %d sockets, want at least the 400 held", rows)
	}
	if w.ringSize != page {
		t.Errorf("the ring grew to %d bytes, want it kept at %d", w.ringSize, page)
	}
	if min := uint64(rows / perRing); w.rounds < min {
		t.Errorf("%d sockets in %d rounds through a ring of %d records", rows, w.rounds, perRing)
	}
	t.Logf("%d sockets in %d rounds through a ring of %d records", rows, w.rounds, perRing)
}

// Close releases the program, its link and its maps: the kernel lists
// none of them afterwards.
func TestCloseReleasesEverything(t *testing.T) {
	w := openOrSkip(t)
	if err := w.Walk(selfNetns(t), func(*Row) {}); err != nil {
		t.Fatal(err)
	}
	pi, err := w.prog.Info()
	if err != nil {
		t.Fatal(err)
	}
	progID, _ := pi.ID()
	li, err := w.it.Info()
	if err != nil {
		t.Fatal(err)
	}
	mi, err := w.ring.Info()
	if err != nil {
		t.Fatal(err)
	}
	mapID, _ := mi.ID()
	wi, err := w.want.Info()
	if err != nil {
		t.Fatal(err)
	}
	wantID, _ := wi.ID()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := w.Walk(selfNetns(t), func(*Row) {}); err == nil {
		t.Fatal("a closed Walker walked")
	}
	// The kernel frees links and maps from a work queue: give it a moment.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var left []string
		if p, err := ebpf.NewProgramFromID(progID); err == nil {
			p.Close()
			left = append(left, "the program")
		}
		if l, err := link.NewFromID(li.ID); err == nil {
			l.Close()
			left = append(left, "the link")
		}
		if m, err := ebpf.NewMapFromID(mapID); err == nil {
			m.Close()
			left = append(left, "the ring buffer")
		}
		if m, err := ebpf.NewMapFromID(wantID); err == nil {
			m.Close()
			left = append(left, "the namespace map")
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after Close the kernel still holds %s", strings.Join(left, ", "))
		}
	}
}

// The other tests skip where the walk cannot run; this one fails where
// it should: as root on a kernel with BTF, 5.17 or later, the program
// must pass the verifier (a change to it can make it too large, or its
// stack too deep, and every walk would then give way to dumps).
func TestProgramLoadsWhereItShould(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the TCP walk loads a BPF program: run as root")
	}
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		t.Skip("no kernel BTF (/sys/kernel/btf/vmlinux): the walk cannot run here")
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	var major, minor int
	if _, err := fmt.Sscanf(unix.ByteSliceToString(u.Release[:]), "%d.%d", &major, &minor); err != nil {
		t.Fatalf("kernel release %q: %v", u.Release, err)
	}
	if major < 5 || major == 5 && minor < 17 {
		t.Skipf("Linux %d.%d: the walk needs 5.17 or later (bpf_loop)", major, minor)
	}
	w, err := Open()
	if err != nil {
		t.Fatalf("Linux %d.%d with BTF, as root: %v", major, minor, err)
	}
	w.Close()
}

// The ring buffer is mapped into porttop only while a walk drains it: a
// ring grown for a big table (16-32 MB at 100k sockets, mapped twice) is
// not resident between walks. Walks one after another still see every
// socket (the kernel keeps where the last reader stopped).
func TestRingMappedOnlyWhileDrained(t *testing.T) {
	w := openOrSkip(t)
	holdPairs(t, 200)
	for walk := range 3 {
		rows := 0
		if err := w.Walk(selfNetns(t), func(*Row) { rows++ }); err != nil {
			t.Fatalf("walk %d: %v", walk, err)
		}
		if rows < 400 {
			t.Fatalf("walk %d saw %d sockets, want the 400 held at least", walk, rows)
		}
		maps, err := os.ReadFile("/proc/self/maps")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(maps), "\n") {
			if strings.Contains(l, "bpf-map") {
				t.Fatalf("after walk %d a BPF map is still mapped: %s", walk, l)
			}
		}
	}
}
