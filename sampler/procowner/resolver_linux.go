//go:build linux

package procowner

import (
	"math"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
)

// minWalkGap is the shortest time between two walks of /proc/*/fd; a walk
// that took long pushes the next one further off, so that walking costs at
// most 1/walkShare of a core (a walk reads a link per open file of every
// process: ~36 ms with 10k sockets held, which would be 3.6% of a core at
// one walk a second).
const (
	minWalkGap = time.Second
	walkShare  = 50
)

// Resolver attributes sockets to processes from a cache of inode->pid. Sockets
// new to the cache are first looked for in the fd tables of hot pids
// (processes that made sockets recently; see hot_linux.go), within a
// budget of fd links per sample. What that misses waits for a full walk of
// /proc/*/fd, which costs about 1.4-3.6 ms per 1,000 sockets and so runs at
// most once a second and at most 1/walkShare of the time; until then those
// sockets stay unattributed (the poller carries owners over once known).
// A Resolver is not safe for concurrent use: one sampler calls it.
type Resolver struct {
	procfs string
	euid   int
	// capable: not root, but granted what reading every process's fds
	// needs (CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH); treated as root.
	capable bool
	// owner is socket inode -> the pid holding it, procs that pid's
	// process: 8 bytes a socket in the map (sock_diag's inodes are 32
	// bits), not the 40 a process each took (6.3 MB for watch's ~100k
	// sockets, BIG=1). A walk fills it again (see ownersForWalk).
	owner map[uint32]int32
	procs map[int32]process
	// ownerPeak is the most owners o.owner has held: its room, which a
	// map keeps when cleared.
	ownerPeak int
	// missed holds inodes a walk looked for and did not find (sockets of
	// processes this user may not inspect, or already gone): they do not
	// trigger another walk.
	missed map[uint64]struct{}
	// tried holds inodes a hot scan looked for and did not find since the
	// last walk: not looked for by hot scans again, but awaiting the walk.
	tried    map[uint64]struct{}
	names    map[int32]string // pid -> process name (comm)
	starts   map[int32]uint64 // pid -> start time at the last walk (0: unknown)
	lastWalk time.Time
	walkGap  time.Duration // minWalkGap, or more after a slow walk
	// lastNames is when the owners' names were last read afresh (by a
	// walk or by ownersChanged); walkDue asks for a walk though no socket
	// is new.
	lastNames time.Time
	walkDue   bool
	linkBuf   []byte
	dirBuf    []byte  // a directory's entries, read in parts
	pids      []int32 // a walk's pids, from /proc

	hot     map[int32]*hotPid
	budget  int    // fd links a sample's hot scan may read
	fdReads uint64 // fd links read by hot scans, ever
	// hotShare paces hot scans (see the constant); nextHot is when the
	// next may run.
	hotShare int
	nextHot  time.Time
	want     map[uint64]struct{} // a hot scan's inodes still to find
	order    []*hotPid           // a hot scan's pids, cheapest first
	// fdCount is the fd entries of each socket-owning pid at the last walk.
	fdCount map[int32]int
	// tablePids are the pids that owned sockets of the table at the last
	// walk (see ownersChanged).
	tablePids map[int32]struct{}
	// wholeLen is how many sockets the last whole table (Attribute, not
	// AttributePart) had: a part keeps the cache of the rest up to it.
	wholeLen int
	// walkFound is how many sockets the last walk found.
	walkFound int
	// known fills the owners of sockets another source knows (SetKnown).
	known func(socks []sampler.Socket)
}

// SetKnown gives the Resolver a caller that knows the owners of some
// sockets without /proc (the ebpf source: the process that connected or
// listened, still running). When a sample holds sockets the cache has no
// owner for, known is called with the sample before any hot scan or walk
// is considered; it fills PID and Process of the sockets it knows (and
// leaves those with a PID alone). The sockets it fills are looked for no
// further: a churning client's sockets make no walk of /proc. A walk made
// for other sockets still gives every socket it finds its holder there.
func (o *Resolver) SetKnown(known func(socks []sampler.Socket)) { o.known = known }

// New makes a Resolver reading procfs (normally "/proc"); it reads nothing
// before the first Attribute.
func New(procfs string) *Resolver {
	return &Resolver{
		procfs:    procfs,
		euid:      os.Geteuid(),
		capable:   os.Geteuid() != 0 && mayInspectAll(),
		owner:     map[uint32]int32{},
		procs:     map[int32]process{},
		missed:    map[uint64]struct{}{},
		tried:     map[uint64]struct{}{},
		names:     map[int32]string{},
		starts:    map[int32]uint64{},
		linkBuf:   make([]byte, 64),
		dirBuf:    make([]byte, direntsBuf),
		hot:       map[int32]*hotPid{},
		budget:    hotFDBudget,
		hotShare:  hotShare,
		want:      map[uint64]struct{}{},
		fdCount:   map[int32]int{},
		tablePids: map[int32]struct{}{},
	}
}

// Attribute fills PID, Process and Start from the cache, scanning hot pids for
// sockets it has never looked for, then walking /proc when allowed and
// still needed. It reports whether owners are hidden: not root, and a
// socket of another user has an inode but no process.
func (o *Resolver) Attribute(socks []sampler.Socket, now time.Time) (hidden bool) {
	o.wholeLen = len(socks)
	return o.attribute(socks, now, true)
}

// AttributePart is Attribute for part of the table (a sample narrowed by a
// query: the UDP sockets alone between the checks of an event-kept table):
// the cache keeps the owners of the sockets not among socks, up to twice
// the last whole table's, so that the next whole table finds them there
// rather than walking /proc again for every one. It walks for its own
// sockets alone: whether the table's owners exec'd or exited is left to
// the next whole table.
func (o *Resolver) AttributePart(socks []sampler.Socket, now time.Time) (hidden bool) {
	return o.attribute(socks, now, false)
}

func (o *Resolver) attribute(socks []sampler.Socket, now time.Time, whole bool) (hidden bool) {
	fresh, pending := o.fill(socks)
	if fresh+pending > 0 && o.known != nil {
		o.known(socks)
		fresh, pending = o.unknown(socks)
	}
	if fresh > 0 && o.scanHotPaced(socks, now) {
		fresh, pending = 0, o.fillTried(socks)
	}
	if whole {
		o.lookForChangedOwners(now)
	}
	if (fresh+pending > 0 || whole && o.walkDue) && now.Sub(o.lastWalk) >= max(o.walkGap, minWalkGap) {
		o.walkFor(socks, now, whole)
		if whole {
			o.lastNames, o.walkDue = now, false
		}
	}
	o.prune(socks)
	o.expireHot(now) // also when nothing is new: exited pids' handles close
	return o.hidden(socks)
}

// OwnersDue reports whether a whole table is wanted to settle who holds
// what: a walk gap after the last look, a pid that owned a socket of the
// table exec'd, was reused or is gone (see ownersChanged). A caller that
// attributes parts of the table alone (a check that leaves out the rows
// its base holds as they are, keeping their owners) asks before each such
// part and takes the whole table when it says so: Attribute then walks.
func (o *Resolver) OwnersDue(now time.Time) bool {
	o.lookForChangedOwners(now)
	return o.walkDue
}

// lookForChangedOwners looks, at most once a walk gap, whether the table's
// owners changed (ownersChanged), and marks a walk due if so.
func (o *Resolver) lookForChangedOwners(now time.Time) {
	if now.Sub(o.lastNames) >= max(o.walkGap, minWalkGap) {
		o.walkDue = o.walkDue || o.ownersChanged()
		o.lastNames = now
	}
}

// walkFor walks /proc for the sample's unattributed sockets; the owners of
// those it finds made sockets new to the cache, so they become hot.
func (o *Resolver) walkFor(socks []sampler.Socket, now time.Time, whole bool) {
	start := time.Now()
	o.walkFound = max(o.walkFound, len(socks)) // the first walk: by the sample
	o.walk()
	o.walkGap = walkShare * time.Since(start)
	o.lastWalk = now
	o.missed, o.tried = emptied(o.missed), emptied(o.tried)
	if whole {
		clear(o.tablePids)
	}
	made := map[int32]int{}
	for i := range socks {
		s := &socks[i]
		if s.Inode == 0 {
			continue
		}
		p, ok := o.ownerOf(s.Inode)
		if ok {
			o.tablePids[p.pid] = struct{}{}
		}
		switch {
		case ok && s.PID == 0:
			made[p.pid] = o.fdCount[p.pid]
			p.fill(s)
		case ok: // the walk's name is newer than the cache's
			p.fill(s)
		case s.PID == 0:
			o.missed[uint64(s.Inode)] = struct{}{}
		}
	}
	for pid, h := range o.hot { // what the next hot scan of each will cost
		if n, ok := o.fdCount[pid]; ok {
			h.fds = n
		}
	}
	o.markHot(made, now)
}

// fill attributes sockets from the cache; it counts the inodes never looked
// for (fresh) and those only a hot scan looked for (pending a walk).
func (o *Resolver) fill(socks []sampler.Socket) (fresh, pending int) {
	for i := range socks {
		s := &socks[i]
		if s.Inode == 0 {
			continue
		}
		if p, ok := o.ownerOf(s.Inode); ok {
			p.fill(s)
		} else if _, ok := o.missed[uint64(s.Inode)]; ok {
			continue
		} else if _, ok := o.tried[uint64(s.Inode)]; ok {
			pending++
		} else {
			fresh++
		}
	}
	return fresh, pending
}

// unknown counts, as fill does, the sockets with no owner yet: those never
// looked for (fresh) and those only a hot scan looked for (pending).
func (o *Resolver) unknown(socks []sampler.Socket) (fresh, pending int) {
	for i := range socks {
		s := &socks[i]
		if s.Inode == 0 || s.PID != 0 {
			continue
		}
		if _, ok := o.missed[uint64(s.Inode)]; ok {
			continue
		} else if _, ok := o.tried[uint64(s.Inode)]; ok {
			pending++
		} else {
			fresh++
		}
	}
	return fresh, pending
}

// fillTried attributes what a hot scan found and marks the rest tried; it
// counts the inodes awaiting a walk.
func (o *Resolver) fillTried(socks []sampler.Socket) (pending int) {
	for i := range socks {
		s := &socks[i]
		if s.Inode == 0 || s.PID != 0 {
			continue
		}
		if p, ok := o.ownerOf(s.Inode); ok {
			p.fill(s)
		} else if _, ok := o.missed[uint64(s.Inode)]; !ok {
			o.tried[uint64(s.Inode)] = struct{}{}
			pending++
		}
	}
	return pending
}

// fresh reports whether no walk or hot scan has looked for inode.
func (o *Resolver) fresh(inode uint64) bool {
	if _, ok := o.owner[uint32(inode)]; ok { // inodes from a sample: 32 bits
		return false
	}
	if _, ok := o.missed[inode]; ok {
		return false
	}
	_, ok := o.tried[inode]
	return !ok
}

// prune drops cached owners of sockets gone from the table once the cache
// holds twice as many as the sample, or as the last whole table when the
// sample is a part of it (hot scans add owners between walks,
// which alone would rebuild the cache), keeping memory bounded.
func (o *Resolver) prune(socks []sampler.Socket) {
	if len(o.owner) <= 2*max(len(socks), o.wholeLen)+pruneSlack {
		return
	}
	kept := make(map[uint32]int32, len(socks))
	for i := range socks {
		if pid, ok := o.owner[socks[i].Inode]; ok {
			kept[socks[i].Inode] = pid
		}
	}
	o.owner, o.ownerPeak = kept, len(kept)
	held := make(map[int32]struct{}, len(o.procs))
	for _, pid := range kept {
		held[pid] = struct{}{}
	}
	for pid := range o.procs {
		if _, ok := held[pid]; !ok {
			delete(o.procs, pid)
		}
	}
}

// emptied is set with nothing in it: set itself cleared, or a new map
// when set held many. A map keeps its room when cleared, and tried holds
// every socket of the first sample for a moment (no pid is hot yet): 4 MB
// kept for good by watch at ~100k sockets (BIG=1).
func emptied(set map[uint64]struct{}) map[uint64]struct{} {
	if len(set) > emptiedKeep {
		return map[uint64]struct{}{}
	}
	clear(set)
	return set
}

// emptiedKeep is the most inodes a set may have held to be kept (cleared).
const emptiedKeep = 4096

// pruneSlack keeps small tables from pruning at every churn.
const pruneSlack = 1024

func (o *Resolver) hidden(socks []sampler.Socket) bool {
	if o.privileged() {
		return false
	}
	for i := range socks {
		if s := &socks[i]; s.Inode != 0 && s.PID == 0 && int(s.UID) != o.euid {
			return true
		}
	}
	return false
}

// walk rebuilds inode->pid from every /proc/<pid>/fd this process may read,
// and the names of the pids that own sockets.
func (o *Resolver) walk() {
	if !o.listPids() {
		return // the cache stays as it was
	}
	pidOf := o.ownersForWalk()
	names := make(map[int32]string, len(o.names))
	starts := make(map[int32]uint64, len(o.starts))
	fdCount := make(map[int32]int, len(o.fdCount))
	for _, pid := range o.pids {
		if fds, found := o.scanFDs(pid, pidOf); found {
			fdCount[pid] = fds
			// Read afresh: the pid may have exec'd or been reused since.
			name, start := o.readStat(pid)
			if name == "" {
				name = o.names[pid] // exited while we looked
			}
			names[pid], starts[pid] = name, start
		}
	}
	procs := make(map[int32]process, len(names))
	for pid, name := range names {
		procs[pid] = process{pid, name, starts[pid]}
	}
	o.owner, o.procs, o.names, o.starts, o.fdCount = pidOf, procs, names, starts, fdCount
	o.ownerPeak = max(o.ownerPeak, len(pidOf))
	o.walkFound = len(pidOf)
}

// listPids reads the pids in /proc into o.pids (in /proc's order: lowest
// first); false when /proc cannot be read.
func (o *Resolver) listPids() bool {
	fd, err := unix.Open(o.procfs, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	o.pids = o.pids[:0]
	err = eachEntry(fd, o.dirBuf, func(cname []byte) {
		if pid, ok := parsePid(cname[:len(cname)-1]); ok {
			o.pids = append(o.pids, pid)
		}
	})
	return err == nil
}

// parsePid is a /proc entry's pid; ok is false for other entries.
func parsePid(name []byte) (int32, bool) {
	if len(name) == 0 || len(name) > 10 {
		return 0, false
	}
	var pid int64
	for _, c := range name {
		if c < '0' || c > '9' {
			return 0, false
		}
		pid = pid*10 + int64(c-'0')
	}
	if pid > math.MaxInt32 {
		return 0, false
	}
	return int32(pid), true
}

// ownersForWalk is the map a walk fills with owners: the cache's own,
// emptied (the walk rebuilds it whole, and nothing reads it meanwhile), so
// that no second map of every owner is made beside the first. A map whose
// room is more than twice the last walk's finds is let go for a new one
// that grows to what this walk finds.
func (o *Resolver) ownersForWalk() map[uint32]int32 {
	if o.ownerPeak > 2*o.walkFound+pruneSlack {
		o.owner, o.ownerPeak = nil, 0
		return map[uint32]int32{}
	}
	clear(o.owner)
	return o.owner
}

// ownerOf is the process holding the socket with inode, as the cache has it.
func (o *Resolver) ownerOf(inode uint32) (process, bool) {
	pid, ok := o.owner[inode]
	if !ok {
		return process{}, false
	}
	return o.procs[pid], true
}

// process is what a socket is attributed to; one map lookup per socket.
type process struct {
	pid   int32
	name  string
	start uint64 // /proc/PID/stat's start time, 0 when unknown
}

// fill gives s this owner: pid, name and start time.
func (p process) fill(s *sampler.Socket) { s.PID, s.Process, s.Start = p.pid, p.name, p.start }

// scanFDs adds the socket inodes of one process; it reports how many fds it
// has and whether any is a socket. A process whose fds cannot all be read
// adds none.
func (o *Resolver) scanFDs(pid int32, pidOf map[uint32]int32) (fds int, found bool) {
	dfd, err := unix.Open(o.procfs+"/"+strconv.Itoa(int(pid))+"/fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, false // gone, or not ours to read
	}
	defer unix.Close(dfd)
	err = eachEntry(dfd, o.dirBuf, func(cname []byte) {
		fds++
		n, err := readlinkAt(dfd, cname, o.linkBuf)
		if err != nil || n >= len(o.linkBuf) {
			return
		}
		if inode, ok := socketInode(o.linkBuf[:n]); ok {
			found = true
			if inode > math.MaxUint32 {
				return // no sample asks for it: sock_diag's inodes are 32 bits
			}
			if _, dup := pidOf[uint32(inode)]; !dup { // shared sockets: the first (lowest) pid wins
				pidOf[uint32(inode)] = pid
			}
		}
	})
	if err != nil { // exited while read: as if never read
		for inode, p := range pidOf {
			if p == pid {
				delete(pidOf, inode)
			}
		}
		return 0, false
	}
	return fds, found
}

// ownersChanged reports whether a pid that owned a socket of the table at
// the last walk, or made one since (a hot pid), now runs under another
// name, started at another time (reused), or is gone. A walk then settles
// who holds what: the process exec'd another program but kept its sockets
// (which makes no new socket, so nothing else would walk), or it exited and
// its pid may be reused by an unrelated program while a child it shared
// sockets with holds them on. One small read per such pid, at most once a
// walk gap. The other processes the walk found holding a socket (a unix
// socket, another namespace's) are left alone: on a busy machine one of
// them exits every few seconds, and each walked /proc again for nothing.
func (o *Resolver) ownersChanged() bool {
	changed := func(pid int32) bool {
		name, start := o.readStat(pid)
		return name != o.names[pid] || start != o.starts[pid]
	}
	for pid := range o.tablePids {
		if changed(pid) {
			return true
		}
	}
	for pid := range o.hot {
		if _, seen := o.tablePids[pid]; !seen && changed(pid) {
			return true
		}
	}
	return false
}

// readStat is pid's name and start time (see parseStat); "" and 0 when
// they cannot be read (gone).
func (o *Resolver) readStat(pid int32) (name string, start uint64) {
	b, err := os.ReadFile(o.procfs + "/" + strconv.Itoa(int(pid)) + "/stat")
	if err != nil {
		return "", 0
	}
	name, start, _ = parseStat(b)
	return name, start
}

// Walk reads every /proc/PID/fd now, whatever the pacing, and rebuilds the
// cache; it returns how many socket inodes have an owner. Attribute walks
// on its own when due: this is for benchmarks, which measure one walk.
func (o *Resolver) Walk() int {
	o.walk()
	return len(o.owner)
}
