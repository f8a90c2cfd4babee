//go:build linux

package procowner

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// TestShortLivedSocketsOwnedAtFirstSight: this process held sockets when the
// first walk ran, so it is hot; each connection it then opens and closes
// between samples is attributed to it by the sample that first sees it,
// with no full walk allowed in between. The sockets are real loopback
// connections, given as a sample gives them: by inode and uid.
func TestShortLivedSocketsOwnedAtFirstSight(t *testing.T) {
	first := openPair(t, "tcp4", "127.0.0.1:0") // sockets of ours for the first walk to find
	o := New("/proc")
	t.Cleanup(o.Close)
	now := time.Now()
	o.Attribute(pairSockets(t, first), now)
	o.walkGap = time.Hour // as after a very slow walk: no full walk from here on
	o.hotShare = 0        // samples come back to back here, faster than any pace
	me := int32(os.Getpid())
	for i := range 20 {
		network, addr := "tcp4", "127.0.0.1:0"
		if i%2 == 1 {
			network, addr = "tcp6", "[::1]:0"
		}
		p := openPair(t, network, addr)
		now = now.Add(10 * time.Millisecond)
		s := pairSockets(t, p)
		o.Attribute(s, now)
		for _, sock := range s {
			if sock.PID != me || sock.Process == "" {
				t.Fatalf("connection %d: inode %d owned by pid %d %q at first sight, want %d", i, sock.Inode, sock.PID, sock.Process, me)
			}
		}
		p.client.Close()
		p.server.Close()
		p.ln.Close()
	}
}

// hotProc is a fake /proc of three processes the first walk makes hot,
// holding 10, 80 and 150 sockets, with a hot scan budget of 200 fd links
// (the default budget scaled down with the tables).
func hotProc(t *testing.T) (fakeProc, *Resolver, time.Time) {
	t.Helper()
	proc := fakeProc(t.TempDir())
	proc.add(t, 100, "small", span(1, 10)...)
	proc.add(t, 200, "mid", span(1001, 80)...)
	proc.add(t, 300, "big", span(3001, 150)...)
	o := New(string(proc))
	o.budget = 200
	o.hotShare = 0 // unpaced: these tests step a fake clock
	t0 := time.Unix(1000, 0)
	o.Attribute(ownSockets(1, 1001, 3001), t0)
	if len(o.hot) != 3 {
		t.Fatalf("hot after the first walk: %d pids, want 3", len(o.hot))
	}
	t.Cleanup(o.Close)
	return proc, o, t0
}

// ownSockets are sockets of this user, which hot scans look for root or not.
func ownSockets(inodes ...uint64) []sampler.Socket {
	return sockets(int32(os.Geteuid()), inodes...)
}

func span(first uint64, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = first + uint64(i)
	}
	return out
}

func fdEntries(t *testing.T, proc fakeProc, pid int) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(string(proc), strconv.Itoa(pid), "fd"))
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// attributeCounting runs attribute and returns the fd links it read.
func attributeCounting(o *Resolver, socks []sampler.Socket, now time.Time) uint64 {
	before := o.fdReads
	o.Attribute(socks, now)
	return o.fdReads - before
}

func TestHotScanReadsCheapestFirstWithinItsBudget(t *testing.T) {
	proc, o, t0 := hotProc(t)
	proc.add(t, 100, "small", 11)
	proc.add(t, 200, "mid", 1081)
	proc.add(t, 300, "big", 3151)
	small, mid := fdEntries(t, proc, 100), fdEntries(t, proc, 200)

	// 200 links: small and mid fit, big (150+) does not fit what is left.
	s := ownSockets(1, 11, 1081, 3151)
	reads := attributeCounting(o, s, t0.Add(100*time.Millisecond))
	if got := pids(s); got[1] != 100 || got[2] != 200 || got[3] != 0 || s[2].Process != "mid" {
		t.Fatalf("hot scan attributed %v (%q), want 100 and 200 found, 300 skipped", got, s[2].Process)
	}
	if reads != uint64(small+mid) || reads > uint64(o.budget) {
		t.Errorf("read %d fd links, want %d (small %d + mid %d) within %d", reads, small+mid, small, mid, o.budget)
	}
	// Looked for once: the miss waits for the walk, not another hot scan.
	if reads := attributeCounting(o, ownSockets(1, 11, 1081, 3151), t0.Add(200*time.Millisecond)); reads != 0 {
		t.Errorf("an inode the hot scan missed was looked for again: %d reads", reads)
	}
	// The walk, once allowed, finds it and makes big's pid hot again.
	o.walkGap = 0 // however long the last walk took here
	s = ownSockets(3151)
	o.Attribute(s, t0.Add(1100*time.Millisecond))
	if s[0].PID != 300 || o.hot[300] == nil {
		t.Fatalf("walk after the gap: pid %d, hot %v", s[0].PID, o.hot[300] != nil)
	}

	// A smaller budget: small fits, mid does not.
	o.budget = 50
	proc.add(t, 100, "small", 12)
	proc.add(t, 200, "mid", 1082)
	s = ownSockets(12, 1082)
	reads = attributeCounting(o, s, t0.Add(1200*time.Millisecond))
	if s[0].PID != 100 || s[1].PID != 0 || reads > 50 {
		t.Errorf("budget 50: pids %v after %d reads", pids(s), reads)
	}
}

func TestHotScanStopsOnceEveryNewSocketIsFound(t *testing.T) {
	proc, o, t0 := hotProc(t)
	proc.add(t, 100, "small", 11)
	s := ownSockets(11)
	reads := attributeCounting(o, s, t0.Add(100*time.Millisecond))
	if s[0].PID != 100 || s[0].Process != "small" {
		t.Fatalf("new socket of a hot pid: pid %d %q", s[0].PID, s[0].Process)
	}
	if small := fdEntries(t, proc, 100); reads != uint64(small) {
		t.Errorf("read %d fd links, want only small's %d", reads, small)
	}
	// Nothing new: no hot scan at all.
	if reads := attributeCounting(o, ownSockets(1, 11, 1001), t0.Add(200*time.Millisecond)); reads != 0 {
		t.Errorf("a sample of known sockets read %d fd links", reads)
	}
}

func TestHotScansArePacedByTheirCost(t *testing.T) {
	proc, o, t0 := hotProc(t)
	o.hotShare = hotShare
	o.walkGap = time.Hour // no full walk: only hot scans attribute here
	proc.add(t, 100, "small", 11, 12)
	at := t0.Add(100 * time.Millisecond)
	if reads := attributeCounting(o, ownSockets(11), at); reads == 0 {
		t.Fatal("no hot scan for a new socket")
	}
	pause := o.nextHot.Sub(at)
	if pause <= 0 {
		t.Fatalf("a hot scan set a pause of %v", pause)
	}
	s := ownSockets(12)
	if reads := attributeCounting(o, s, at.Add(pause/2)); reads != 0 || s[0].PID != 0 {
		t.Errorf("a hot scan ran within the pause: %d reads", reads)
	}
	// The socket is still new to the cache: the next scan it may run finds it.
	s = ownSockets(12)
	o.Attribute(s, o.nextHot)
	if s[0].PID != 100 {
		t.Errorf("after the pause: pid %d, want 100", s[0].PID)
	}
}

func TestHotPidThatExitedOrWasReusedIsDropped(t *testing.T) {
	proc, o, t0 := hotProc(t)
	// 200 exits; 100 exits and its pid is reused by another program.
	for _, pid := range []int{100, 200} {
		if err := os.RemoveAll(filepath.Join(string(proc), strconv.Itoa(pid))); err != nil {
			t.Fatal(err)
		}
	}
	proc.add(t, 100, "reuser", 77)
	s := ownSockets(77)
	o.Attribute(s, t0.Add(100*time.Millisecond))
	if s[0].PID != 0 {
		t.Errorf("socket of a reused pid attributed to the old process %q", s[0].Process)
	}
	if o.hot[100] != nil || o.hot[200] != nil || o.hot[300] == nil {
		t.Errorf("hot after exits: 100 %v, 200 %v, 300 %v; want only 300", o.hot[100] != nil, o.hot[200] != nil, o.hot[300] != nil)
	}
	// The next walk finds the new process under its own name.
	o.walkGap = 0 // however long the last walk took here
	o.Attribute(s, t0.Add(1100*time.Millisecond))
	if s[0].PID != 100 || s[0].Process != "reuser" {
		t.Errorf("after the walk: pid %d %q, want 100 reuser", s[0].PID, s[0].Process)
	}
}

func TestHotPidsExpireAndStayBounded(t *testing.T) {
	proc, o, t0 := hotProc(t)
	proc.add(t, 100, "small", 11)
	o.Attribute(ownSockets(11), t0.Add(hotTTL/2)) // small made a socket: stays hot
	o.Attribute(ownSockets(12), t0.Add(hotTTL+time.Second))
	if len(o.hot) != 1 || o.hot[100] == nil {
		t.Errorf("after %v: hot %d pids, want only the one that made a socket", hotTTL, len(o.hot))
	}

	// More socket owners than maxHot: the cheapest are kept.
	many := fakeProc(t.TempDir())
	addOwner := func(pid int) { // the higher the pid, the more sockets
		many.add(t, pid, "p", span(uint64(pid*100), 1+pid/8)...)
	}
	addOwner(1)
	addOwner(maxHot + 10)
	m := New(string(many))
	t.Cleanup(m.Close)
	m.Attribute(ownSockets(100, uint64((maxHot+10)*100)), t0)
	if len(m.hot) != 2 {
		t.Fatalf("hot after a walk finding 2 owners: %d", len(m.hot))
	}
	for pid := 2; pid < maxHot+10; pid++ {
		addOwner(pid)
	}
	all := make([]uint64, 0, maxHot+10)
	for pid := 1; pid <= maxHot+10; pid++ {
		all = append(all, uint64(pid*100))
	}
	// The walk finds new sockets in pids 2 to maxHot+9: they made sockets
	// since 1 and maxHot+10 did, which make room.
	m.walkGap = 0 // however long the last walk took here
	m.Attribute(ownSockets(all...), t0.Add(2*time.Second))
	if len(m.hot) != maxHot || m.hot[2] == nil || m.hot[maxHot+1] == nil || m.hot[maxHot+2] != nil || m.hot[1] != nil {
		t.Errorf("hot set %d pids (2: %v, %d: %v, %d: %v, 1: %v), want pids 2 to %d", len(m.hot),
			m.hot[2] != nil, maxHot+1, m.hot[maxHot+1] != nil, maxHot+2, m.hot[maxHot+2] != nil, m.hot[1] != nil, maxHot+1)
	}
}

// Unprivileged: a hot pid whose fd table becomes unreadable is dropped,
// and another user's unattributed socket still reports owners hidden.
func TestHotScanUnreadableAndHiddenOwners(t *testing.T) {
	proc, o, t0 := hotProc(t)
	o.euid = 1000
	s := sockets(2000, 5555) // another user's: no hot scan, the walk's business
	if reads := attributeCounting(o, s, t0.Add(100*time.Millisecond)); reads != 0 {
		t.Errorf("another user's socket started a hot scan of %d reads", reads)
	}
	if !o.Attribute(s, t0.Add(200*time.Millisecond)) {
		t.Error("another user's unattributed socket, but owners not hidden")
	}
	if os.Geteuid() == 0 {
		t.Skip("root reads a mode-000 directory: the unreadable case needs an unprivileged run")
	}
	fd := filepath.Join(string(proc), "100", "fd")
	if err := os.Chmod(fd, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(fd, 0o755) })
	s = sockets(1000, 6666)
	o.Attribute(s, t0.Add(300*time.Millisecond))
	if o.hot[100] != nil {
		t.Error("a hot pid whose fd table is unreadable stayed hot")
	}
	if o.Attribute(s, t0.Add(400*time.Millisecond)) {
		t.Error("own unattributed socket reported as hidden")
	}
}

// Under churn that hot scans attribute, no walk rebuilds the cache: the
// owners of closed sockets must still go.
func TestOwnerCacheStaysBoundedWithoutWalks(t *testing.T) {
	proc, o, t0 := hotProc(t)
	now := t0
	for round := range pruneSlack + 64 {
		inode := uint64(100000 + round)
		fd := fdEntries(t, proc, 100) // add puts the socket here, /dev/null next
		proc.add(t, 100, "small", inode)
		now = now.Add(100 * time.Millisecond)
		s := ownSockets(1, inode)
		o.Attribute(s, now)
		if s[1].PID != 100 {
			t.Fatalf("round %d: new socket unattributed", round)
		}
		if n := len(o.owner); n > 2*len(s)+pruneSlack+1 {
			t.Fatalf("round %d: %d owners cached for a %d-socket table", round, n, len(s))
		}
		for _, closed := range []int{fd, fd + 1} {
			if err := os.Remove(filepath.Join(string(proc), "100", "fd", strconv.Itoa(closed))); err != nil {
				t.Fatal(err)
			}
		}
	}
	if o.lastWalk != t0 {
		t.Error("a walk ran: hot scans did not carry the churn")
	}
}

// A pid once too big for the budget is scanned again after a walk has seen
// it shrink.
func TestWalkRefreshesWhatAHotScanWouldCost(t *testing.T) {
	proc, o, t0 := hotProc(t)
	o.budget = 100 // big (150 sockets) no longer fits
	dir := filepath.Join(string(proc), "300", "fd")
	for fd := 50; fd < 150; fd++ {
		if err := os.Remove(filepath.Join(dir, strconv.Itoa(fd))); err != nil {
			t.Fatal(err)
		}
	}
	// A socket nobody holds: a walk, which finds no new hot pid.
	o.walkGap = 0 // however long the last walk took here
	o.Attribute(ownSockets(99999), t0.Add(2*time.Second))
	proc.add(t, 300, "big", 5001)
	s := ownSockets(5001)
	if reads := attributeCounting(o, s, t0.Add(2100*time.Millisecond)); s[0].PID != 300 || reads > 100 {
		t.Errorf("shrunk pid after a walk: pid %d after %d reads, want 300 within 100", s[0].PID, reads)
	}
}

// Hot pids expire on a sample with nothing new too, so the /proc/PID
// handles of processes that stopped making sockets (or exited) are closed.
func TestHotPidsExpireWhenNothingIsNew(t *testing.T) {
	proc, o, t0 := hotProc(t)
	proc.add(t, 100, "small", 11)
	known := ownSockets(11)
	o.Attribute(known, t0)
	if o.hot[100] == nil {
		t.Fatalf("the owner of a new socket is not hot")
	}
	o.Attribute(known, t0.Add(hotTTL+time.Second)) // the same socket: nothing new
	if len(o.hot) != 0 {
		t.Errorf("after %v with nothing new: %d hot pids, want none", hotTTL, len(o.hot))
	}
}

// A hot process that exec'd another program gives its new sockets the new
// program's name, not the one it had when it became hot.
func TestHotScanNamesAProcessThatExeced(t *testing.T) {
	proc, o, t0 := hotProc(t)
	proc.rename(t, 100, "curl")
	proc.add(t, 100, "curl", 77)
	s := ownSockets(77)
	o.Attribute(s, t0.Add(100*time.Millisecond))
	if s[0].PID != 100 || s[0].Process != "curl" {
		t.Errorf("socket made after exec: pid %d %q, want 100 curl", s[0].PID, s[0].Process)
	}
	// Its sockets from before the exec are held by the new program too.
	s = ownSockets(1, 77)
	o.Attribute(s, t0.Add(200*time.Millisecond))
	for _, sock := range s {
		if sock.PID != 100 || sock.Process != "curl" {
			t.Errorf("inode %d after exec: pid %d %q, want 100 curl", sock.Inode, sock.PID, sock.Process)
		}
	}
}
