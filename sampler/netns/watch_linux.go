//go:build linux

package netns

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/cgroup"
)

var (
	_ sampler.ReleaseWatcher   = (*Source)(nil)
	_ sampler.CounterReader    = (*Source)(nil)
	_ sampler.AuditStartReader = (*Source)(nil)
)

// watching is a running WatchReleases: every namespace read has a release
// watcher of its own (destroy events reach only a netlink socket of the
// namespace the socket lived in), its releases tagged with their place
// and merged into out.
type watching struct {
	ctx  context.Context
	out  chan<- sampler.Release
	wg   sync.WaitGroup
	self chan error // the own namespace's watcher failed
	// udpOnly: the namespaces' watchers join only the UDP destroy groups
	// (WatchUDPReleases).
	udpOnly bool
}

// memberWatch is one namespace's release watcher.
type memberWatch struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func (w *memberWatch) stop() {
	w.cancel()
	<-w.done
}

// WatchReleases watches every namespace read for released sockets, those
// opened later too, until ctx ends (sampler.ReleaseWatcher); a namespace's
// watcher ends when the namespace is no longer read. It fails when porttop's
// own namespace's watcher does; another namespace's failure leaves that
// namespace to polling alone.
func (s *Source) WatchReleases(ctx context.Context, out chan<- sampler.Release) error {
	return s.watchReleases(ctx, out, false)
}

// WatchUDPReleases is WatchReleases for UDP sockets only (see
// sockdiag.Source.WatchUDPReleases): for a caller that tells TCP releases
// from the kernel's own events.
func (s *Source) WatchUDPReleases(ctx context.Context, out chan<- sampler.Release) error {
	return s.watchReleases(ctx, out, true)
}

func (s *Source) watchReleases(ctx context.Context, out chan<- sampler.Release, udpOnly bool) error {
	s.mu.Lock()
	if s.watching != nil {
		s.mu.Unlock()
		return errors.New("releases are already being watched")
	}
	w := &watching{ctx: ctx, out: out, self: make(chan error, 1), udpOnly: udpOnly}
	s.watching = w
	for _, m := range s.members {
		s.startWatch(m)
	}
	s.mu.Unlock()
	var err error
	select {
	case <-ctx.Done():
	case err = <-w.self:
	}
	s.mu.Lock()
	for _, m := range s.members {
		m.stopWatch()
	}
	s.watching = nil
	s.mu.Unlock()
	w.wg.Wait()
	return err
}

// startWatch starts m's release watcher when releases are being watched.
// Called with s.mu held.
func (s *Source) startWatch(m *member) {
	w := s.watching
	if w == nil || m.watch != nil {
		return
	}
	ctx, cancel := context.WithCancel(w.ctx)
	mw := &memberWatch{cancel: cancel, done: make(chan struct{})}
	m.watch = mw
	in := make(chan sampler.Release, 256)
	n, src, cg, self := m.ns, m.src, s.cg, m.ns.Self
	w.wg.Add(2)
	go func() {
		defer w.wg.Done()
		defer close(in)
		watch := src.WatchReleases
		if w.udpOnly {
			watch = src.WatchUDPReleases
		}
		if err := watch(ctx, in); err != nil && ctx.Err() == nil && self {
			select {
			case w.self <- err:
			default:
			}
		}
	}()
	go func() {
		defer w.wg.Done()
		defer close(mw.done)
		for r := range in {
			m.heard(&r.Socket)
			placeRelease(&r.Socket, n, cg)
			select {
			case w.out <- r:
			case <-ctx.Done():
				for range in { // until the watcher, ending too, closes it
				}
				return
			}
		}
	}()
}

// stopWatch ends m's release watcher, if any, and waits for it.
func (m *member) stopWatch() {
	if m.watch != nil {
		m.watch.stop()
		m.watch = nil
	}
}

// placeRelease tags a released socket with its namespace and cgroup.
func placeRelease(s *sampler.Socket, n NS, cg *cgroup.Resolver) {
	s.Place = placeOf(n, s.CgroupID, cg)
}

// KernelCounters sums the namespaces' open counters, as each read them
// when its last Sample began, into one total that grows only by what they
// opened (see counterSum): a namespace appearing adds nothing at once.
func (s *Source) KernelCounters() (sampler.KernelCounters, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sumCounters((*member).kernelCounters)
}

// KernelCountersAtFirstDumpEnd is the same sum with each namespace's
// counters as its first Sample's dump ended (sampler.AuditStartReader).
func (s *Source) KernelCountersAtFirstDumpEnd() (sampler.KernelCounters, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sumCounters(func(m *member) (sampler.KernelCounters, error) {
		return m.src.KernelCountersAtFirstDumpEnd()
	})
}

func (s *Source) sumCounters(read func(*member) (sampler.KernelCounters, error)) (sampler.KernelCounters, error) {
	readings := map[uint64]sampler.KernelCounters{}
	for ino, m := range s.members {
		if c, err := read(m); err == nil {
			readings[ino] = c
		}
	}
	if len(readings) == 0 {
		return sampler.KernelCounters{}, errors.New("no network namespace's counters could be read")
	}
	return s.counters.update(readings), nil
}

var _ sampler.Noter = (*Source)(nil)

// Notes are the namespaces' readers' notes (release reports lost, a port
// filter refused), another namespace's prefixed with its label.
func (s *Source) Notes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	inodes := make([]uint64, 0, len(s.members))
	for ino := range s.members {
		inodes = append(inodes, ino)
	}
	slices.Sort(inodes)
	var notes []string
	for _, ino := range inodes {
		m := s.members[ino]
		for _, n := range m.src.Notes() {
			if !m.ns.Self {
				n = m.ns.Label() + ": " + n
			}
			notes = append(notes, n)
		}
	}
	return notes
}

var _ sampler.NetnsRanger = (*Source)(nil)

// NetnsRanges are the ephemeral ranges of the namespaces read other than
// porttop's own, as their last Sample read them, by inode; a namespace
// whose range cannot be read is left out.
func (s *Source) NetnsRanges() []sampler.NetnsRange {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []sampler.NetnsRange
	for ino, m := range s.members {
		if !m.ns.Self && m.cur.Known() {
			out = append(out, sampler.NetnsRange{Netns: ino, NetnsName: m.ns.Name, Range: m.cur})
		}
	}
	slices.SortFunc(out, func(a, b sampler.NetnsRange) int { return cmp.Compare(a.Netns, b.Netns) })
	return out
}
