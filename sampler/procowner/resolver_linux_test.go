//go:build linux

package procowner

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// fakeProc builds a /proc with processes owning socket inodes.
type fakeProc string

func (p fakeProc) add(t *testing.T, pid int, name string, inodes ...uint64) {
	t.Helper()
	dir := filepath.Join(string(p), strconv.Itoa(pid))
	if err := os.MkdirAll(filepath.Join(dir, "fd"), 0o755); err != nil {
		t.Fatal(err)
	}
	p.rename(t, pid, name)
	entries, _ := os.ReadDir(filepath.Join(dir, "fd"))
	fd := len(entries)
	for _, in := range inodes {
		link := "socket:[" + strconv.FormatUint(in, 10) + "]"
		if err := os.Symlink(link, filepath.Join(dir, "fd", strconv.Itoa(fd))); err != nil {
			t.Fatal(err)
		}
		fd++
	}
	// A non-socket descriptor is ignored.
	_ = os.Symlink("/dev/null", filepath.Join(dir, "fd", strconv.Itoa(fd)))
}

// rename sets what pid runs, as exec does: its comm and the name in its
// stat, keeping the start time it has (pid+1000 for a new one).
func (p fakeProc) rename(t *testing.T, pid int, name string) {
	t.Helper()
	dir := filepath.Join(string(p), strconv.Itoa(pid))
	start := uint64(pid + 1000)
	if b, err := os.ReadFile(filepath.Join(dir, "stat")); err == nil {
		_, start, _ = parseStat(b)
	}
	stat := fmt.Sprintf("%d (%s) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %d 0 0\n", pid, name, start)
	if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(stat), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "comm"), []byte(name+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sockets(uid int32, inodes ...uint64) []sampler.Socket {
	s := make([]sampler.Socket, len(inodes))
	for i, in := range inodes {
		s[i] = sampler.Socket{Inode: uint32(in), Owner: sampler.Owner{UID: uid}}
	}
	return s
}

func pids(socks []sampler.Socket) []int32 {
	out := make([]int32, len(socks))
	for i, s := range socks {
		out[i] = s.PID
	}
	return out
}

func TestOwnersCacheWalksOnlyForNewInodesAtMostOncePerSecond(t *testing.T) {
	proc := fakeProc(t.TempDir())
	proc.add(t, 100, "server", 1, 2)
	o := New(string(proc))
	o.euid = 1000 // as an unprivileged user
	t0 := time.Unix(1000, 0)

	s := sockets(2000, 1, 2, 3)
	if hidden := o.Attribute(s, t0); !hidden {
		t.Error("inode 3 of another user unattributed, but owners not hidden")
	}
	if got := pids(s); got[0] != 100 || got[1] != 100 || got[2] != 0 || s[0].Process != "server" {
		t.Fatalf("first walk: pids %v process %q", got, s[0].Process)
	}

	// Inode 3 appears in a readable process, and inode 4 is new. Within a
	// second of the last walk nothing is walked.
	proc.add(t, 200, "client", 3, 4)
	s = sockets(2000, 1, 3, 4)
	o.Attribute(s, t0.Add(500*time.Millisecond))
	if got := pids(s); got[1] != 0 || got[2] != 0 {
		t.Fatalf("walked again within a second: %v", got)
	}
	// A second later the new inode 4 triggers a walk, which also finds 3.
	s = sockets(2000, 1, 3, 4)
	if hidden := o.Attribute(s, t0.Add(1100*time.Millisecond)); hidden {
		t.Error("every socket attributed, yet owners hidden")
	}
	if got := pids(s); got[0] != 100 || got[1] != 200 || got[2] != 200 || s[2].Process != "client" {
		t.Fatalf("second walk: %v %q", got, s[2].Process)
	}

	// An inode no readable process holds is looked for once, not every second.
	proc.add(t, 300, "late", 9)
	s = sockets(2000, 5)
	o.Attribute(s, t0.Add(3*time.Second))
	s = sockets(2000, 5, 9)
	o.Attribute(s, t0.Add(5*time.Second))
	if got := pids(s); got[1] != 300 {
		t.Fatalf("new inode 9 not attributed: %v", got)
	}
	s = sockets(2000, 5)
	before := len(o.names)
	proc.add(t, 400, "holder-of-5", 5)
	o.Attribute(s, t0.Add(10*time.Second))
	if s[0].PID != 0 || len(o.names) != before {
		t.Errorf("a missed inode alone triggered a walk: pid %d", s[0].PID)
	}

	// Root never reports hidden owners; own sockets never count as hidden.
	o.euid = 0
	if o.Attribute(sockets(2000, 77), t0.Add(20*time.Second)) {
		t.Error("root reported hidden owners")
	}
	o.euid = 2000
	if o.Attribute(sockets(2000, 78), t0.Add(30*time.Second)) {
		t.Error("own unattributed socket reported as hidden")
	}
	// Sockets without an inode (TIME_WAIT) are never attributed or hidden.
	if o.Attribute(sockets(-1, 0), t0.Add(40*time.Second)) {
		t.Error("inode-less socket reported as hidden")
	}
}

func TestOwnersSlowWalkPushesTheNextOneOff(t *testing.T) {
	proc := fakeProc(t.TempDir())
	proc.add(t, 100, "server", 1)
	o := New(string(proc))
	t0 := time.Unix(1000, 0)
	o.Attribute(sockets(0, 1), t0)
	if o.walkGap <= 0 || o.walkGap > minWalkGap {
		t.Fatalf("gap after a tiny walk: %v, want (0, %v]", o.walkGap, minWalkGap)
	}
	o.walkGap = 3 * time.Second // as after a walk of 60 ms
	proc.add(t, 200, "client", 2)
	s := sockets(0, 1, 2)
	o.Attribute(s, t0.Add(1500*time.Millisecond))
	if s[1].PID != 0 {
		t.Fatal("walked again before the slow walk's gap ran out")
	}
	o.Attribute(s, t0.Add(3100*time.Millisecond))
	if s[1].PID != 200 {
		t.Fatalf("no walk after the gap: pid %d", s[1].PID)
	}
}

// A walk names a process by what it runs now: a pid that exec'd another
// program (or was reused by a new process) since the last walk is not
// named by its old program.
func TestWalkRenamesAProcessThatExeced(t *testing.T) {
	proc := fakeProc(t.TempDir())
	proc.add(t, 100, "sh", 1)
	o := New(string(proc))
	o.euid = 1000 // unprivileged, and the sockets another user's: no hot scans, only walks
	t0 := time.Unix(1000, 0)
	o.Attribute(sockets(2000, 1), t0)

	proc.rename(t, 100, "nginx")
	proc.add(t, 100, "nginx", 2)
	s := sockets(2000, 1, 2)
	o.Attribute(s, t0.Add(2*time.Second))
	for _, sock := range s {
		if sock.PID != 100 || sock.Process != "nginx" {
			t.Errorf("inode %d after exec: pid %d %q, want 100 nginx", sock.Inode, sock.PID, sock.Process)
		}
	}
}

// A process that exec'd another program and kept its sockets makes no new
// socket, so no walk or hot scan runs for it; its name is still read afresh
// about once a second.
func TestQuietProcessThatExecedIsRenamed(t *testing.T) {
	proc := fakeProc(t.TempDir())
	proc.add(t, 100, "python3", 1)
	o := New(string(proc))
	t0 := time.Unix(1000, 0)
	o.Attribute(sockets(0, 1), t0)
	proc.rename(t, 100, "sleep")
	s := sockets(0, 1)
	o.Attribute(s, t0.Add(500*time.Millisecond))
	if s[0].Process != "python3" {
		t.Errorf("within a second: %q; the name is read afresh at most once a second", s[0].Process)
	}
	for _, after := range []time.Duration{2 * time.Second, 3 * time.Second} {
		s = sockets(0, 1)
		o.Attribute(s, t0.Add(after))
		if s[0].PID != 100 || s[0].Process != "sleep" {
			t.Errorf("%v after pid 100 exec'd sleep: pid %d %q, want 100 sleep", after, s[0].PID, s[0].Process)
		}
	}
}

// A pre-fork server: master 100 and worker 101 share listener inode 1 (the
// walk gives it to the lowest pid, 100). The master exits and pid 100 is
// reused by an unrelated program holding no socket. No new socket appears;
// the listener must not be named after the newcomer: a walk finds it in 101.
func TestOwnerPidReusedIsNotRenamed(t *testing.T) {
	proc := fakeProc(t.TempDir())
	proc.add(t, 100, "nginx", 1)
	proc.add(t, 101, "nginx", 1)
	o := New(string(proc))
	t0 := time.Unix(1000, 0)
	s := sockets(0, 1)
	o.Attribute(s, t0)
	if s[0].PID != 100 || s[0].Process != "nginx" {
		t.Fatalf("setup: %d %q", s[0].PID, s[0].Process)
	}
	// master exits; pid 100 reused by an unrelated program with no socket
	if err := os.RemoveAll(filepath.Join(string(proc), "100")); err != nil {
		t.Fatal(err)
	}
	proc.add(t, 100, "cron")
	s = sockets(0, 1)
	o.Attribute(s, t0.Add(2*time.Second))
	if s[0].PID != 101 || s[0].Process != "nginx" {
		t.Errorf("after the master exited and pid 100 was reused: pid %d %q, want the worker, 101 nginx", s[0].PID, s[0].Process)
	}
}

// The pid may be reused by a program of the same name: the start time
// tells them apart, and a walk finds who holds the socket now.
func TestOwnerPidReusedBySameNameIsWalked(t *testing.T) {
	proc := fakeProc(t.TempDir())
	stat := func(pid int, start int) {
		t.Helper()
		line := fmt.Sprintf("%d (nginx) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %d 0 0\n", pid, start)
		if err := os.WriteFile(filepath.Join(string(proc), strconv.Itoa(pid), "stat"), []byte(line), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	proc.add(t, 100, "nginx", 1)
	stat(100, 500)
	proc.add(t, 101, "nginx", 1)
	stat(101, 501)
	o := New(string(proc))
	t0 := time.Unix(1000, 0)
	s := sockets(0, 1)
	o.Attribute(s, t0)
	if s[0].PID != 100 {
		t.Fatalf("setup: pid %d, want the master, 100", s[0].PID)
	}
	if err := os.RemoveAll(filepath.Join(string(proc), "100")); err != nil {
		t.Fatal(err)
	}
	proc.add(t, 100, "nginx") // another nginx, holding nothing
	stat(100, 900)
	s = sockets(0, 1)
	o.Attribute(s, t0.Add(2*time.Second))
	if s[0].PID != 101 {
		t.Errorf("after pid 100 was reused by another nginx: pid %d, want the worker, 101", s[0].PID)
	}
}

// An owner comes with its process's start time (/proc/PID/stat field 22),
// whether a walk or a hot scan found it, and keeps it across an exec.
func TestOwnersCarryTheirStartTime(t *testing.T) {
	proc := fakeProc(t.TempDir())
	proc.add(t, 100, "server", 1) // start time 1100, as fakeProc makes it
	o := New(string(proc))
	t.Cleanup(o.Close)
	t0 := time.Unix(1000, 0)
	s := sockets(int32(os.Geteuid()), 1)
	o.Attribute(s, t0)
	if s[0].PID != 100 || s[0].Start != 1100 {
		t.Fatalf("walked: pid %d start %d, want 100 1100", s[0].PID, s[0].Start)
	}
	proc.rename(t, 100, "worker") // exec keeps the start time
	proc.add(t, 100, "worker", 2)
	s = sockets(int32(os.Geteuid()), 1, 2)
	o.Attribute(s, t0.Add(100*time.Millisecond)) // within the walk gap: the hot scan finds 2
	if s[1].PID != 100 || s[1].Process != "worker" || s[1].Start != 1100 || s[0].Start != 1100 {
		t.Errorf("hot scan: %+v %+v, want pid 100 worker start 1100 both", s[0].Owner, s[1].Owner)
	}
}

// A sample a query narrowed (the UDP sockets alone, between the checks of
// an event-kept table) is part of the table: the owners of the sockets it
// leaves out stay cached, so the next whole table is attributed from the
// cache, not by another walk of every process's fds.
func TestAPartOfTheTableKeepsTheOthersOwners(t *testing.T) {
	proc := fakeProc(t.TempDir())
	held := span(1, 3*pruneSlack) // more than the cache keeps for an empty sample
	proc.add(t, 100, "holder", held...)
	o := New(string(proc))
	t.Cleanup(o.Close)
	o.budget = 0 // no hot scans: a socket missing from the cache waits for a walk
	t0 := time.Unix(1000, 0)
	if o.Attribute(ownSockets(held...), t0); o.lastWalk != t0 {
		t.Fatalf("the first table did not walk /proc")
	}
	for i := 1; i <= 5; i++ {
		o.AttributePart(nil, t0.Add(time.Duration(i)*100*time.Millisecond))
	}
	whole := ownSockets(held...)
	o.Attribute(whole, t0.Add(600*time.Millisecond)) // before the next walk may run
	for _, s := range whole {
		if s.PID != 100 || s.Process != "holder" {
			t.Fatalf("inode %d after the parts: pid %d %q, want 100 holder", s.Inode, s.PID, s.Process)
		}
	}
	// A whole table that shrank lets the cache go, as before.
	o.Attribute(nil, t0.Add(700*time.Millisecond))
	if len(o.owner) > pruneSlack {
		t.Errorf("%d owners cached for an empty table", len(o.owner))
	}
}

// Only the table's owners are watched for an exec or an exit: another
// process holding some other socket (a unix socket, another namespace's)
// that exits walks /proc for nothing; the table's owner that exec'd does.
// A part of the table (AttributePart) walks for its own new sockets only.
func TestOnlyTheTablesOwnersChangingWalksAgain(t *testing.T) {
	proc := fakeProc(t.TempDir())
	proc.add(t, 100, "server", 1, 2)
	proc.add(t, 300, "other", 99) // not in the table
	o := New(string(proc))
	t.Cleanup(o.Close)
	t0 := time.Unix(1000, 0)
	o.Attribute(ownSockets(1, 2), t0)
	if o.lastWalk != t0 {
		t.Fatal("the first table did not walk /proc")
	}
	if err := os.RemoveAll(filepath.Join(string(proc), "300")); err != nil {
		t.Fatal(err)
	}
	o.Attribute(ownSockets(1, 2), t0.Add(2*time.Second))
	if o.lastWalk != t0 {
		t.Errorf("walked again at %v when a process outside the table exited", o.lastWalk.Sub(t0))
	}
	proc.rename(t, 100, "nginx")
	o.AttributePart(nil, t0.Add(4*time.Second))
	if o.lastWalk != t0 {
		t.Errorf("a part of the table walked at %v for an owner that exec'd", o.lastWalk.Sub(t0))
	}
	s := ownSockets(1, 2)
	o.Attribute(s, t0.Add(6*time.Second))
	if s[0].Process != "nginx" || s[1].Process != "nginx" {
		t.Errorf("after the table's owner exec'd: %q %q, want nginx", s[0].Process, s[1].Process)
	}
}

// Sockets a caller names (SetKnown: the ebpf source's connectors) make no
// walk of /proc; one it does not name does, and the walk's holder wins
// over the caller's. The caller is asked only when the cache lacks an
// owner.
func TestKnownOwnersMakeNoWalk(t *testing.T) {
	proc := fakeProc(t.TempDir())
	proc.add(t, 100, "server", 1, 2)
	o := New(string(proc))
	o.euid = 1000 // unprivileged, and the sockets another user's: no hot scans, only walks
	asked := 0
	o.SetKnown(func(socks []sampler.Socket) {
		asked++
		for i := range socks {
			if s := &socks[i]; s.PID == 0 && (s.Inode == 5 || s.Inode == 6) {
				s.PID, s.Process = 500, "client"
			}
		}
	})
	t0 := time.Unix(1000, 0)
	if o.Attribute(sockets(2000, 1, 2), t0); o.lastWalk != t0 || asked != 1 {
		t.Fatalf("first sample: walked at %v, caller asked %d times", o.lastWalk, asked)
	}
	if o.Attribute(sockets(2000, 1, 2), t0.Add(2*time.Second)); asked != 1 {
		t.Errorf("caller asked though the cache knew every socket")
	}
	s := sockets(2000, 1, 2, 5)
	o.Attribute(s, t0.Add(4*time.Second))
	if o.lastWalk != t0 {
		t.Errorf("walked at %v for a socket the caller named", o.lastWalk.Sub(t0))
	}
	if got := pids(s); got[0] != 100 || got[2] != 500 || s[2].Process != "client" {
		t.Errorf("pids %v, process %q", got, s[2].Process)
	}
	// Inode 7 is nobody's the caller knows: a walk, which also finds inode
	// 6 held by another process than the caller said (handed on).
	proc.add(t, 600, "worker", 6, 7)
	s = sockets(2000, 1, 6, 7)
	o.Attribute(s, t0.Add(6*time.Second))
	if o.lastWalk != t0.Add(6*time.Second) {
		t.Fatalf("no walk for an inode nobody named")
	}
	if got := pids(s); got[1] != 600 || got[2] != 600 || s[1].Process != "worker" {
		t.Errorf("after the walk: pids %v, process %q", got, s[1].Process)
	}
}

// The cache of owners costs a map entry of a 32-bit inode and a pid per
// socket (~9-18 bytes with the map's room; 29-30 measured with 64-bit
// inodes), the process's name and start time once per pid: at ~100k
// sockets watch's cache was 6.3 MB when each entry held its process (40
// bytes), and a walk made a second map of it.
func TestOwnersCacheHoldsAPidASocket(t *testing.T) {
	const n = 20_000
	proc := fakeProc(t.TempDir())
	inodes := make([]uint64, n)
	for i := range inodes {
		inodes[i] = uint64(1_000_000 + i)
	}
	proc.add(t, 400, "proxy", inodes[:n/2]...)
	proc.add(t, 401, "proxy", inodes[n/2:]...)
	o := New(string(proc))
	defer o.Close()
	before := heapInUse()
	if got := o.Walk(); got != n {
		t.Fatalf("walk found %d owners, want %d", got, n)
	}
	perSocket := (int64(heapInUse()) - int64(before)) / n
	t.Logf("%d bytes a cached owner", perSocket)
	socks := sockets(0, inodes[n-2:]...)
	o.fill(socks)
	if p := pids(socks); p[0] != 401 || p[1] != 401 || socks[0].Process != "proxy" {
		t.Errorf("owners %v %q after the walk, want 401 proxy", p, socks[0].Process)
	}
	if perSocket > 20 {
		t.Errorf("%d bytes held a cached owner, want at most 20", perSocket)
	}
}

// The inodes hot scans tried since the last walk are let go at the next
// walk, their room too: the first sample of a busy machine tries every
// socket (no pid is hot yet), and the cleared map kept that room (4 MB at
// ~100k sockets) for good.
func TestOwnersTriedRoomGoesAtAWalk(t *testing.T) {
	const n = 100_000
	proc := fakeProc(t.TempDir())
	proc.add(t, 400, "proxy", 1)
	o := New(string(proc))
	defer o.Close()
	inodes := make([]uint64, n)
	for i := range inodes {
		inodes[i] = uint64(2 + i)
	}
	if pending := o.fillTried(sockets(0, inodes...)); pending != n {
		t.Fatalf("%d inodes tried, want %d", pending, n)
	}
	before := heapInUse()
	o.walkFor(nil, time.Now(), true)
	if held := int64(heapInUse()) - int64(before); held > -(1 << 20) {
		t.Errorf("the walk let go of %d bytes of %d inodes tried, want 1 MB at least", -held, n)
	}
	if !o.fresh(inodes[0]) {
		t.Error("an inode tried before the walk is not fresh after it")
	}
}

// With no pid hot (at porttop's start) no hot scan looks for anything, so
// no inode is marked tried: the first sample of a busy machine marked
// every socket (4 MB at ~100k), just before the walk that found them.
func TestNoHotPidMarksNothingTried(t *testing.T) {
	proc := fakeProc(t.TempDir())
	proc.add(t, 400, "proxy", 7, 8)
	o := New(string(proc))
	defer o.Close()
	now := time.Now()
	o.lastWalk = now // a walk just ran: the next is not due yet
	socks := sockets(0, 7, 8)
	o.Attribute(socks, now)
	if len(o.tried) != 0 || socks[0].PID != 0 {
		t.Errorf("%d inodes tried, pid %d, with no pid hot and no walk; want none, 0", len(o.tried), socks[0].PID)
	}
	o.Attribute(socks, now.Add(5*time.Second))
	if p := pids(socks); p[0] != 400 || p[1] != 400 {
		t.Errorf("owners %v once the walk was due, want 400 400", p)
	}
}

// heapInUse is the heap's allocated bytes after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// A check that leaves out the rows its base holds as they are keeps their
// owners: it asks OwnersDue first, which says so once an owner of the
// table exec'd (at most once a walk gap), and the whole table's
// attribution then names the socket by what its process runs now.
func TestOwnersDueWhenAnOwnerExeced(t *testing.T) {
	proc := fakeProc(t.TempDir())
	proc.add(t, 100, "python3", 1)
	o := New(string(proc))
	defer o.Close()
	t0 := time.Unix(1000, 0)
	o.Attribute(sockets(0, 1), t0)
	if o.OwnersDue(t0.Add(2 * time.Second)) {
		t.Error("due with no owner changed")
	}
	proc.rename(t, 100, "sleep")
	if o.OwnersDue(t0.Add(2500 * time.Millisecond)) {
		t.Error("due within a walk gap of the last look")
	}
	if !o.OwnersDue(t0.Add(4 * time.Second)) {
		t.Fatal("not due after pid 100 exec'd sleep")
	}
	s := sockets(0, 1)
	o.Attribute(s, t0.Add(4*time.Second))
	if s[0].PID != 100 || s[0].Process != "sleep" {
		t.Errorf("the whole table after the exec: pid %d %q, want 100 sleep", s[0].PID, s[0].Process)
	}
	if o.OwnersDue(t0.Add(6 * time.Second)) {
		t.Error("still due once the whole table named the owner anew")
	}
}
