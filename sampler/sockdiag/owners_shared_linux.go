//go:build linux

package sockdiag

import (
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/procowner"
)

// Owners attributes the sockets of several Sources at once, with one cache
// and one /proc walk for all: socket inodes are unique across network
// namespaces, and the walk finds every process's sockets whatever their
// namespace. sampler/netns reads one Source per namespace and attributes
// their merged table with it, so that a namespace more costs no walk of
// its own. Safe for concurrent use.
type Owners struct {
	mu sync.Mutex
	r  *procowner.Resolver
}

// NewOwners makes an empty cache reading /proc.
func NewOwners() *Owners { return &Owners{r: procowner.New("/proc")} }

// Attribute fills PID and Process of socks (every socket of one moment: the
// cache forgets the inodes not among them) and reports whether sockets of
// other users stay hidden from this user.
func (o *Owners) Attribute(socks []sampler.Socket, now time.Time) (hidden bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.r.Attribute(socks, now)
}

// AttributePart is Attribute for part of the table (a sample a query
// narrowed): the owners of the sockets not among socks stay cached.
func (o *Owners) AttributePart(socks []sampler.Socket, now time.Time) (hidden bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.r.AttributePart(socks, now)
}

// OwnersDue reports whether the owners of the cached sockets may have
// changed (procowner.Resolver.OwnersDue): a filtered sample then reads the
// whole table, attributed whole.
func (o *Owners) OwnersDue(now time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.r.OwnersDue(now)
}

// SetKnown gives the cache a caller's knowledge of who holds some sockets
// (procowner.Resolver.SetKnown): they make no walk of /proc.
func (o *Owners) SetKnown(known func(socks []sampler.Socket)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.r.SetKnown(known)
}

// Close releases the cache's handles on hot processes.
func (o *Owners) Close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.r.Close()
}

// WithoutOwners stops s attributing its sockets to processes (their PID and
// Process stay unset), for a caller that attributes the sockets of several
// Sources with one Owners.
func (s *Source) WithoutOwners() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owners != nil {
		s.owners.Close()
		s.owners = nil
	}
	s.hidden.Store(false)
}
