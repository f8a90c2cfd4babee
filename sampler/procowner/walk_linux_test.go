//go:build linux

package procowner

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
)

// holdSockets opens n UDP sockets in this process (raising its fd limit
// when it must and may), closed at cleanup; it returns how many it opened.
func holdSockets(t testing.TB, n int) int {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if want := uint64(n + 1024); lim.Cur < want {
		raised := syscall.Rlimit{Cur: want, Max: max(lim.Max, want)}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err == nil {
			t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) })
		} else {
			n = int(lim.Cur) - 1024
		}
	}
	fds := make([]int, 0, n)
	t.Cleanup(func() {
		for _, fd := range fds {
			syscall.Close(fd)
		}
	})
	for range n {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatalf("socket %d of %d: %v", len(fds)+1, n, err)
		}
		fds = append(fds, fd)
	}
	return len(fds)
}

// allocated is what op allocated on the heap, in bytes.
func allocated(op func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	op()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A walk over a process holding many sockets allocates nothing per fd: the
// fd directory is read in parts into a buffer the Resolver keeps, each
// link read into another, and the owners' map of the last walk is filled
// again rather than made anew beside it. watch's first walk under BIG=1
// (one process holding ~84k sockets) allocated ~6 MB for the fd names
// alone, and each walk a second map of every owner while the first lived.
func TestWalkAllocatesNothingPerFD(t *testing.T) {
	n := holdSockets(t, 30_000)
	if n < 10_000 {
		t.Skipf("only %d fds may be opened here", n)
	}
	o := New("/proc")
	defer o.Close()
	first := allocated(func() { o.Walk() })
	var found int
	second := allocated(func() { found = o.Walk() })
	if found < n {
		t.Fatalf("the walk found %d owners, want at least the %d sockets held here", found, n)
	}
	t.Logf("%d sockets held: the first walk allocated %d KB, the second %d KB", n, first>>10, second>>10)
	if perFD := second / uint64(n); perFD > 8 {
		t.Errorf("a walk over %d sockets held allocated %d KB (%d bytes a socket), want at most 8 a socket", n, second>>10, perFD)
	}
}

// BenchmarkWalk: one walk of /proc/*/fd with this process holding N
// sockets (and the machine's own processes beside it).
func BenchmarkWalk(b *testing.B) {
	for _, n := range []int{1000, 15_000} {
		b.Run("socks="+strconv.Itoa(n), func(b *testing.B) {
			holdSockets(b, n)
			o := New("/proc")
			defer o.Close()
			measure(b, o.Walk)
		})
	}
}

// The walk fills the owners' map of the last one again, but lets its room
// go once walks find far fewer owners than it held: a machine whose
// sockets went from many to few keeps no map of the many.
func TestWalkLetsGoOfTheOwnersRoomWhenFewRemain(t *testing.T) {
	const n = 20_000
	proc := fakeProc(t.TempDir())
	inodes := make([]uint64, n)
	for i := range inodes {
		inodes[i] = uint64(1_000_000 + i)
	}
	proc.add(t, 400, "proxy", inodes...)
	o := New(string(proc))
	defer o.Close()
	if got := o.Walk(); got != n {
		t.Fatalf("walk found %d owners, want %d", got, n)
	}
	if err := os.RemoveAll(filepath.Join(string(proc), "400")); err != nil {
		t.Fatal(err)
	}
	proc.add(t, 401, "proxy", 7)
	before := heapInUse()
	o.Walk() // sized by the last walk's finds: the room stays for now
	if got := o.Walk(); got != 1 {
		t.Fatalf("walk found %d owners, want 1", got)
	}
	if freed := int64(before) - int64(heapInUse()); freed < 100<<10 {
		t.Errorf("two walks finding 1 owner after %d let go of %d bytes, want 100 KB at least", n, freed)
	}
	socks := sockets(0, 7, inodes[0])
	o.fill(socks)
	if p := pids(socks); p[0] != 401 || p[1] != 0 {
		t.Errorf("owners %v, want 401 and none", p)
	}
}
