//go:build linux

package netns

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/cgroup"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/sampler/procowner"
	"github.com/porttop/porttop/sampler/sockdiag"
)

// RediscoverEvery is the shortest time between two discoveries (one
// readlink per process, whatever the number of namespaces).
const RediscoverEvery = time.Second

// shareMin is the fewest sockets a namespace holds for its table to be
// handed out uncopied (see assemble): below it a copy costs little, and
// a namespace read in full every round costs more.
const shareMin = 1024

// Source samples every network namespace it may enter and tags each
// socket with its namespace and cgroup. Its methods may be called from
// several goroutines; one Sample runs at a time.
type Source struct {
	mu       sync.Mutex
	discover func() ([]NS, error)
	tr       Tracker
	members  map[uint64]*member
	// closed holds namespaces that could not be opened, with why, until
	// they disappear (not retried meanwhile).
	closed map[uint64]string
	cg     *cgroup.Resolver // nil: no cgroup v2
	// owners attributes every namespace's sockets at once (one cache, one
	// /proc walk for all); hidden is what its last Attribute said.
	owners  *sockdiag.Owners
	hidden  bool
	last    time.Time
	query   sampler.Query
	queried bool
	now     func() time.Time
	// watching is the running WatchReleases (nil: none); counters merges
	// the namespaces' kernel counters.
	watching *watching
	counters counterSum
	// spare is a snapshot's Sockets handed back (Recycle) for the next
	// Sample's copy to fill; rows is how many the last Sample gave (a
	// table handed back much bigger than that is not kept: see Recycle).
	spare []sampler.Socket
	rows  int
	// handed lists the namespaces' tables handed out whole (assemble),
	// oldest first; shareMin is the fewest sockets a namespace's table
	// holds for that (tests lower it).
	handed   []handedOut
	shareMin int
	// walk reads the TCP sockets of the namespaces due a full dump with
	// one walk of the established hash they share (walk_linux.go); plans
	// and due are a round's scratch.
	walk  walkState
	plans []how
	due   []*member
}

var (
	_ sampler.Source      = (*Source)(nil)
	_ sampler.Queryable   = (*Source)(nil)
	_ sampler.Owners      = (*Source)(nil)
	_ sampler.QuietSource = (*Source)(nil)

	_ sampler.SocketRecycler = (*Source)(nil)
	_ sampler.RowFilter      = (*Source)(nil)
)

// New discovers the namespaces and opens a reader in each it may enter.
// It fails only when porttop's own namespace cannot be read.
func New() (*Source, error) {
	return newSource(Discover)
}

func newSource(discover func() ([]NS, error)) (*Source, error) {
	s := &Source{
		discover: discover,
		members:  map[uint64]*member{},
		closed:   map[uint64]string{},
		owners:   sockdiag.NewOwners(),
		now:      time.Now,
		shareMin: shareMin,
	}
	if r, err := cgroup.NewResolver(); err == nil {
		s.cg = r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.rediscover(); err != nil {
		s.closeAll()
		return nil, err
	}
	for _, m := range s.members {
		if m.ns.Self {
			return s, nil
		}
	}
	reason := s.closed[s.selfInode()]
	s.closeAll()
	return nil, fmt.Errorf("cannot read this network namespace: %s", reason)
}

// Name is "netlink+netns".
func (s *Source) Name() string { return "netlink+netns" }

// Close closes every namespace's reader.
func (s *Source) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeAll()
	s.walk.close()
	if s.cg != nil {
		s.cg.Close()
	}
	s.owners.Close()
	return nil
}

func (s *Source) closeAll() {
	for ino, m := range s.members {
		m.close()
		delete(s.members, ino)
	}
}

func (s *Source) selfInode() uint64 {
	for ino, m := range s.members {
		if m.ns.Self {
			return ino
		}
	}
	for _, n := range s.tr.list() {
		if n.Self {
			return n.Inode
		}
	}
	return 0
}

// rediscover lists the namespaces and opens or closes readers to match.
func (s *Source) rediscover() error {
	list, err := s.discover()
	if err != nil {
		return fmt.Errorf("list network namespaces: %w", err)
	}
	s.last = s.now()
	ch := s.tr.Update(list)
	for _, n := range ch.Removed {
		if m := s.members[n.Inode]; m != nil {
			m.close()
			delete(s.members, n.Inode)
		}
		delete(s.closed, n.Inode)
	}
	for _, n := range ch.Updated {
		m := s.members[n.Inode]
		if m == nil {
			continue
		}
		m.ns = n // its files and sockets were opened inside it: no pid involved
	}
	for _, n := range ch.Added {
		m, err := openMember(n)
		if err != nil {
			s.closed[n.Inode] = err.Error()
			continue
		}
		if s.queried {
			m.setQuery(s.query)
		}
		s.members[n.Inode] = m
		s.startWatch(m)
	}
	return nil
}

// SetQuery narrows every namespace's samples.
func (s *Source) SetQuery(q sampler.Query) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.query, s.queried = q, true
	for _, m := range s.members {
		m.setQuery(q)
	}
}

// Sample reads every namespace's table, rediscovering namespaces first when
// RediscoverEvery has passed. A namespace whose read fails is closed and
// opened again at the next discovery if it still exists; only a failure in
// porttop's own namespace fails the Sample.
func (s *Source) Sample(ctx context.Context) (sampler.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sample(ctx)
}

// sample is Sample, s.mu held.
func (s *Source) sample(ctx context.Context) (sampler.Snapshot, error) {
	if s.now().Sub(s.last) >= RediscoverEvery {
		if err := s.rediscover(); err != nil {
			return sampler.Snapshot{}, err
		}
	}
	inodes := make([]uint64, 0, len(s.members))
	for ino := range s.members {
		inodes = append(inodes, ino)
	}
	slices.Sort(inodes)
	paths := map[placeKey]sampler.Place{}
	// Every namespace's plan first: those due a full dump that a walk
	// reaches are read by one walk (when at least walkMin are).
	s.plans, s.due = s.plans[:0], s.due[:0]
	for _, ino := range inodes {
		m := s.members[ino]
		p := m.plan(s.now())
		// Its last read is out, written to by the consumer: read it in
		// full. A dump made only for that is not handed out in turn
		// (assemble), or an idle namespace would be dumped every round.
		m.forced = m.out && p != dump
		if m.out {
			p = dump
		}
		s.plans = append(s.plans, p)
		if p == dump && s.walkable(m) {
			s.due = append(s.due, m)
		}
	}
	walked := s.walkRound(s.due)
	clear(s.due)
	for i, ino := range inodes {
		m := s.members[ino]
		var err error
		switch s.plans[i] {
		case skip:
			m.quiet++
			continue
		case refresh:
			err = s.refresh(ctx, m, paths)
		default:
			if walked && m.inWalk {
				err = s.walkDump(ctx, m, paths)
			} else {
				err = s.dump(ctx, m, paths)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return sampler.Snapshot{}, ctx.Err()
			}
			if m.ns.Self {
				return sampler.Snapshot{}, err
			}
			m.close()
			delete(s.members, ino)
			s.tr.Forget(ino) // opened afresh at the next discovery, if still there
			continue
		}
		if m.rng != nil {
			if r, err := m.rng.Read(); err == nil {
				m.cur = r
			}
		}
	}
	all := s.assemble(inodes)
	s.rows = len(all)
	now := s.now()
	if s.query.Narrows() { // a part of each table: the rest keep their cached owners
		s.hidden = s.owners.AttributePart(all, now)
	} else {
		s.hidden = s.owners.Attribute(all, now)
	}
	return sampler.Snapshot{Time: now, Sockets: all}, nil
}

// assemble makes the round's snapshot from the members' tables, in the
// order of inodes. When a namespace read in full this round holds at
// least shareMin sockets, the rows of the busiest such are the snapshot,
// not copied: the others' are appended after them (in the room its reader
// or the walk left), and that namespace's table is then out (member.out): the
// consumer may write to it, so the namespace is read in full again at its
// next round, and the memory comes back through Recycle. Otherwise every
// table is copied into one slice, refilled from Recycle. At 100k sockets
// in one namespace this keeps two tables alive instead of three.
func (s *Source) assemble(inodes []uint64) []sampler.Socket {
	var busiest *member
	for i, ino := range inodes {
		m := s.members[ino]
		if m == nil || s.plans[i] != dump || m.forced || m.count < s.shareMin {
			continue
		}
		if busiest == nil || m.count > busiest.count {
			busiest = m
		}
	}
	var all []sampler.Socket
	if busiest != nil {
		all = busiest.table()
		s.spare = nil // a whole table: the copies' slice is garbage now
	} else {
		// Sized by this round's tables, not the last round's: a sample
		// narrowed to UDP (the ebpf source's ticks) between two whole
		// tables made a 28 MB slice for a few rows at 100k sockets, and
		// the spare it left was kept.
		need := 0
		for _, ino := range inodes {
			if m := s.members[ino]; m != nil {
				need += m.count
			}
		}
		all = s.spare[:0]
		s.spare = nil
		if want := need + need/8 + 16; cap(all) < need || cap(all) > 4*want {
			all = make([]sampler.Socket, 0, want)
		}
	}
	for _, ino := range inodes {
		if m := s.members[ino]; m != nil && m != busiest {
			all = m.appendTable(all)
		}
	}
	if busiest != nil && len(all) > 0 {
		busiest.share(all)
		s.handed = append(s.handed, handedOut{first: &all[0], netns: busiest.ns.Inode})
		if len(s.handed) > maxHanded {
			s.handed = slices.Delete(s.handed, 0, len(s.handed)-maxHanded)
		}
	}
	return all
}

// handedOut is a namespace's table handed out as a snapshot (see
// assemble), by its first row: when it comes back (Recycle) it goes to
// that namespace's readers to fill.
type handedOut struct {
	first *sampler.Socket
	netns uint64
}

// maxHanded bounds the tables remembered as handed out: a consumer holds
// two or three snapshots at once; one that never hands them back leaves
// the oldest to the garbage collector.
const maxHanded = 8

// Recycle hands back the Sockets of a snapshot nobody references any more
// (sampler.SocketRecycler), for the next Sample to fill: a namespace's
// table handed out whole goes back to that namespace (its reader, or its
// walk), any other is kept as the slice the next copy fills. One more
// than 4 times bigger than the last Sample's rows is let go instead: the
// ebpf source's whole table comes back while it samples UDP alone, for
// 10 s until its next check, and keeping it (25 MB at 100k sockets) for
// that check to fill kept two whole tables alive between checks, three at
// a check (the check's walk or dump made its own meanwhile).
func (s *Source) Recycle(socks []sampler.Socket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cap(socks) == 0 {
		return
	}
	first := &socks[:1][0]
	for i, h := range s.handed {
		if h.first != first {
			continue
		}
		m := s.members[h.netns]
		if m != nil && m.out && cap(m.last) > 0 && &m.last[:1][0] == first {
			return // still m's table: it stays out until m's next read
		}
		s.handed = slices.Delete(s.handed, i, i+1)
		if m != nil && !s.oversized(socks) {
			m.takeBack(socks)
			return
		}
		break
	}
	if s.oversized(socks) {
		// A check's table back while the rounds read UDP alone: let go.
		sampler.NoteLetGo(cap(socks) * socketBytes)
		return
	}
	if cap(socks) > cap(s.spare) {
		s.spare = socks[:0]
	}
}

// socketBytes is the size of one row of a table.
const socketBytes = int(unsafe.Sizeof(sampler.Socket{}))

// noteRows is the smallest whole read worth a note (~1.7 MB).
const noteRows = 10_000

// oversized tells a slice handed back too big to keep for the rounds the
// Source makes now (see Recycle).
func (s *Source) oversized(socks []sampler.Socket) bool {
	want := s.rows + s.rows/8 + 16
	return cap(socks) > 4*want
}

// placeKey is a namespace and a cgroup id: every socket with both is
// placed alike.
type placeKey struct{ netns, cgroupID uint64 }

// place tags sockets with their namespace and cgroup; paths memoises this
// sample's places (each one cgroup lookup and one interning), so that a
// socket costs a copy.
func (s *Source) place(socks []sampler.Socket, n NS, paths map[placeKey]sampler.Place) {
	var last placeKey
	var lastPlace sampler.Place
	for i := range socks {
		p := &socks[i].Place
		k := placeKey{n.Inode, p.CgroupID}
		if i == 0 || k != last {
			pl, ok := paths[k]
			if !ok {
				pl = placeOf(n, p.CgroupID, s.cg)
				paths[k] = pl
			}
			last, lastPlace = k, pl
		}
		*p = lastPlace
	}
}

// placeOf is the place of a socket of namespace n in cgroup cgroupID (0:
// none known), its path looked up with cg (nil: none).
func placeOf(n NS, cgroupID uint64, cg *cgroup.Resolver) sampler.Place {
	names := sampler.PlaceNames{NetnsName: n.Name}
	if cgroupID != 0 && cg != nil {
		names.Cgroup, _ = cg.Path(cgroupID)
		names.Container = cgroup.Parse(names.Cgroup).Container
	}
	return sampler.Place{Netns: n.Inode, CgroupID: cgroupID}.WithNames(names)
}

// Quiet reports whether no namespace's table can have changed since the
// last Sample (sampler.QuietSource): every namespace would be skipped (see
// member.plan: its counters held still, no release heard, its last read
// younger than poll.MaxQuietGap) and no discovery is due.
func (s *Source) Quiet() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if now.Sub(s.last) >= RediscoverEvery || len(s.members) == 0 {
		return false
	}
	for _, m := range s.members {
		if !m.isQuiet(now) {
			return false
		}
	}
	return true
}

// OwnersHidden is true when the last Sample could not attribute sockets of
// other users.
func (s *Source) OwnersHidden() (bool, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hidden {
		return true, procowner.HiddenHint
	}
	return false, ""
}

// Info is one namespace as the last Sample saw it.
type Info struct {
	NS
	// Range is its ephemeral port range (zero when unreadable).
	Range ports.Range
	// Sockets is how many sockets its last sample held.
	Sockets int
	// Err is why it is not read ("" when it is).
	Err string
}

// Namespaces lists the namespaces known, read or not, by inode.
func (s *Source) Namespaces() []Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Info
	for _, n := range s.tr.list() {
		i := Info{NS: n}
		if m := s.members[n.Inode]; m != nil {
			i.NS, i.Range, i.Sockets = m.ns, m.cur, m.count
		} else if why, ok := s.closed[n.Inode]; ok {
			i.Err = why
		}
		out = append(out, i)
	}
	return out
}

// Note says how many namespaces are not read and how to read them, and
// why their TCP sockets are read by a dump each rather than one walk
// (when several are read); "" when all is well.
func (s *Source) Note() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var notes []string
	if len(s.closed) > 0 {
		notes = append(notes, fmt.Sprintf("%d network namespace(s) not read: run as root (CAP_SYS_ADMIN and CAP_NET_ADMIN) to see all", len(s.closed)))
	}
	if s.walk.note != "" && len(s.members) > 1 {
		notes = append(notes, "TCP read by a dump per namespace, not one walk: "+s.walk.note)
	}
	return strings.Join(notes, "; ")
}
