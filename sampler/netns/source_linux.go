//go:build linux

package netns

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/cgroup"
	"github.com/porttop/porttop/sampler/poll"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/sampler/procowner"
	"github.com/porttop/porttop/sampler/sockdiag"
)

// RediscoverEvery is the shortest time between two discoveries (one
// readlink per process, whatever the number of namespaces).
const RediscoverEvery = time.Second

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
}

// member is one namespace being read.
type member struct {
	ns    NS
	src   *sockdiag.Source
	rng   *RangeFile // nil: not readable
	cur   ports.Range
	count int
	// last is the namespace's sockets as the last dump gave them, placed
	// (nil before the first): a namespace whose counters held still since
	// (Quiet) is not dumped again. Only namespaces with a process to read
	// the counters of can be quiet.
	last []sampler.Socket
	// dumped is when last was dumped: it is reused for at most
	// poll.MaxQuietGap, as the poller trusts a quiet source (a bound UDP
	// socket connecting moves no counter).
	dumped time.Time
	// quiet counts samples that reused last, for tests and benchmarks.
	quiet uint64
	// watch is its release watcher while releases are watched.
	watch *memberWatch
}

// isQuiet reports whether m's last dump may stand for now.
func (m *member) isQuiet(now time.Time) bool {
	return m.last != nil && now.Sub(m.dumped) < poll.MaxQuietGap && m.src.Quiet()
}

var (
	_ sampler.Source      = (*Source)(nil)
	_ sampler.Queryable   = (*Source)(nil)
	_ sampler.Owners      = (*Source)(nil)
	_ sampler.QuietSource = (*Source)(nil)
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

func (m *member) close() {
	m.stopWatch()
	m.src.Close()
	if m.rng != nil {
		m.rng.Close()
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
		if m.ns.PID != n.PID && !n.Self {
			// Its counters were read through the old pid, which may be
			// reused elsewhere: open it afresh through the new one.
			m.close()
			delete(s.members, n.Inode)
			ch.Added = append(ch.Added, n)
			continue
		}
		m.ns = n
	}
	for _, n := range ch.Added {
		m, err := openMember(n)
		if err != nil {
			s.closed[n.Inode] = err.Error()
			continue
		}
		if s.queried {
			m.src.SetQuery(s.query)
		}
		s.members[n.Inode] = m
		s.startWatch(m)
	}
	return nil
}

// openMember opens a namespace's table and range. Porttop's own namespace
// is read by a plain sockdiag Source; any other by one whose sockets are
// all made inside it (partial samples and releases in each).
func openMember(n NS) (*member, error) {
	var src *sockdiag.Source
	var err error
	if n.Self {
		src, err = sockdiag.New()
	} else {
		src, err = OpenSockDiag(n)
	}
	if err != nil {
		return nil, err
	}
	src.WithoutOwners() // the Source attributes all namespaces at once
	m := &member{ns: n, src: src}
	if r, err := OpenRange(n); err == nil {
		m.rng = r
		m.cur, _ = r.Read()
	}
	return m, nil
}

// SetQuery narrows every namespace's samples.
func (s *Source) SetQuery(q sampler.Query) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.query, s.queried = q, true
	for _, m := range s.members {
		m.src.SetQuery(q)
	}
}

// Sample reads every namespace's table, rediscovering namespaces first when
// RediscoverEvery has passed. A namespace whose read fails is closed and
// opened again at the next discovery if it still exists; only a failure in
// porttop's own namespace fails the Sample.
func (s *Source) Sample(ctx context.Context) (sampler.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
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
	var all []sampler.Socket
	paths := map[uint64]placeOf{}
	for _, ino := range inodes {
		m := s.members[ino]
		if m.isQuiet(s.now()) {
			all = append(all, m.last...)
			m.quiet++
			continue
		}
		snap, err := m.src.Sample(ctx)
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
		m.count = len(snap.Sockets)
		n := len(all)
		all = append(all, snap.Sockets...)
		m.src.Recycle(snap.Sockets)
		s.place(all[n:], m.ns, paths)
		m.last = append(m.last[:0], all[n:]...)
		m.dumped = snap.Time
	}
	now := s.now()
	s.hidden = s.owners.Attribute(all, now)
	return sampler.Snapshot{Time: now, Sockets: all}, nil
}

// placeOf is a cgroup's path and the container it names.
type placeOf struct{ path, container string }

// place tags sockets with their namespace and cgroup; paths memoises this
// sample's cgroup lookups.
func (s *Source) place(socks []sampler.Socket, n NS, paths map[uint64]placeOf) {
	for i := range socks {
		p := &socks[i].Place
		p.Netns, p.NetnsName = n.Inode, n.Name
		if p.CgroupID == 0 || s.cg == nil {
			continue
		}
		c, ok := paths[p.CgroupID]
		if !ok {
			c.path, _ = s.cg.Path(p.CgroupID)
			c.container = cgroup.Parse(c.path).Container
			paths[p.CgroupID] = c
		}
		p.Cgroup, p.Container = c.path, c.container
	}
}

// Quiet reports whether no namespace's table can have changed since the
// last Sample (sampler.QuietSource): every namespace's counters held still
// and no discovery is due. A namespace with no process to read counters
// through is never quiet.
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

// Note says how many namespaces are not read and how to read them; ""
// when every one is.
func (s *Source) Note() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.closed) == 0 {
		return ""
	}
	return fmt.Sprintf("%d network namespace(s) not read: run as root (CAP_SYS_ADMIN and CAP_NET_ADMIN) to see all", len(s.closed))
}
