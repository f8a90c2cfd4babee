//go:build linux

package ebpf

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/cgroup"
)

// Source is the ebpf source: the table still comes from a snapshot source
// (netlink), and the kernel programs add what snapshots cannot see: the
// process that opened each TCP socket, kept after it exits; each release as
// it happens; every transition; and failed port hand-outs.
type Source struct {
	inner sampler.Source
	probe *Probe

	mu   sync.Mutex
	attr *Attributor
	// alive reports whether a pid runs (kill(pid, 0), memoized briefly).
	alive func(pid int32) bool

	subMu sync.Mutex
	trans *subscriber[sampler.Transition]
	// batches is the subscriber of transitions in batches (one of trans
	// and batches at most).
	batches *subscriber[[]sampler.Transition]
	failed  *subscriber[sampler.PortFailure]

	netns uint32 // porttop's network namespace
	// allNetns: the inner source samples every namespace (it is a
	// sampler.NetnsRanger), so the records of every one are kept; else
	// only porttop's.
	allNetns    bool
	names       atomic.Pointer[map[uint32]string] // namespaces' ip netns names, from the inner source
	cg          *cgroup.Resolver                  // nil: no cgroup v2
	lastFailure atomic.Pointer[sampler.PortFailure]
	connects    atomic.Uint64 // failed connects in the namespaces kept
	binds       atomic.Uint64 // failed port-0 binds in the namespaces kept
	undecodable atomic.Uint64
	// lateCatchUps counts catch-ups that gave up waiting for the reader.
	lateCatchUps atomic.Uint64

	// lostAtFull is the kernel's count of dropped records as the last full
	// (unnarrowed) Sample began, -1 before the first; narrowed is whether
	// samples are narrowed by a query now.
	lostAtFull atomic.Int64
	narrowed   atomic.Bool

	// closed are the sockets transitions closed for good, for the inner
	// source's release watcher (see closedSet).
	closed closedSet
	// innerCoalesces: the inner source's release reports come in bursts
	// already (see releaseCoalescer); WatchReleases waits for no more.
	innerCoalesces bool
	// ownReleases: TCP releases come from the transitions and the
	// timewait program's records (handovers, releases); the inner source
	// watches UDP's alone (udpReleaseWatcher). hand is the reader's;
	// rels carries its releases to WatchReleases.
	ownReleases bool
	hand        handovers
	rels        releaseQueue

	// q carries transitions from the reader to the subscriber (forward).
	q       *queue
	fwdDone chan struct{}
	// spare holds batches their subscriber handed back (RecycleBatch),
	// for the reader's next bursts.
	spare chan []sampler.Transition

	stop context.CancelFunc
	done chan struct{}
	once sync.Once
}

var (
	_ sampler.Source            = (*Source)(nil)
	_ sampler.ReleaseWatcher    = (*Source)(nil)
	_ sampler.TransitionWatcher = (*Source)(nil)
	_ sampler.BatchWatcher      = (*Source)(nil)
	_ sampler.BatchRecycler     = (*Source)(nil)
	_ sampler.Queryable         = (*Source)(nil)
	_ sampler.Owners            = (*Source)(nil)
	_ sampler.CounterReader     = (*Source)(nil)
	_ sampler.Noter             = (*Source)(nil)
	_ sampler.SocketRecycler    = (*Source)(nil)
	_ sampler.QuietSource       = (*Source)(nil)
	_ sampler.EventTable        = (*Source)(nil)
	_ sampler.RowFilter         = (*Source)(nil)
)

type subscriber[T any] struct {
	out  chan<- T
	done <-chan struct{}
}

// NewSource loads the kernel programs and starts reading them; inner
// samples the table. Its error is an *UnavailableError when the programs
// cannot run (inner is then not closed: the caller may fall back to it).
func NewSource(inner sampler.Source) (*Source, error) { return newSource(inner, false) }

// newSource is NewSource; classic loads the classic tracepoint program
// (no cookies), for tests of the fallback.
func newSource(inner sampler.Source, classic bool) (*Source, error) {
	ns, err := OwnNetns()
	if err != nil {
		return nil, &UnavailableError{Why: "cannot tell porttop's network namespace: " + err.Error(), Err: err}
	}
	_, all := inner.(sampler.NetnsRanger)
	opts := options{classic: classic}
	if !all {
		opts.only = ns // other namespaces' records are dropped in the kernel
	}
	p, err := open(opts)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	memo := newAliveMemo(alive)
	s := &Source{
		netns:    ns,
		allNetns: all,
		inner:    inner,
		probe:    p,
		alive:    memo.alive,
		attr:     NewAttributor(memo.alive),
		stop:     cancel,
		done:     make(chan struct{}),
		q:        newQueue(),
		fwdDone:  make(chan struct{}),
		spare:    make(chan []sampler.Transition, spareBatches),
	}
	s.attr.Home = ns
	s.lostAtFull.Store(-1)
	if r, err := cgroup.NewResolver(); err == nil {
		s.cg = r
	}
	if _, ok := inner.(udpReleaseWatcher); ok && p.Cookies() && p.TimeWaits() {
		s.ownReleases = true
		s.hand.hz = p.hz
		s.rels.init()
	}
	if cs, ok := inner.(closedForGoodSetter); ok && p.Cookies() && !s.ownReleases {
		cs.SetClosedForGood(s.closed.use())
	}
	if ks, ok := inner.(knownOwnersSetter); ok {
		ks.SetKnownOwners(s.knownOwners)
	}
	if c, ok := inner.(releaseCoalescer); ok {
		// Its reports come in bursts, read releaseCoalesce after the
		// first: by then the reader has mostly read the transitions that
		// closed those sockets, so closedSet can spare their lookups.
		c.CoalesceReleases(releaseCoalesce)
		s.innerCoalesces = true
	}
	go s.run(ctx)
	go s.forward(ctx)
	return s, nil
}

// releaseCoalescer is an inner source whose release watcher can read
// reports in bursts (sockdiag.Source.CoalesceReleases).
type releaseCoalescer interface {
	CoalesceReleases(time.Duration)
}

// knownOwnersSetter is an inner source whose /proc walk for owners can be
// spared the sockets whose opener the transitions told
// (sockdiag.Source.SetKnownOwners, netns.Source.SetKnownOwners).
type knownOwnersSetter interface {
	SetKnownOwners(func(socks []sampler.Socket))
}

// knownOwners fills, during the inner source's sample and before its /proc
// walk, the owners of the sockets the transitions told who opened
// (Attributor.Known): under churn, a client's connections make no walk.
// The sample may hold sockets whose opening transitions are still in the
// ring buffer: the reader reaches them first.
func (s *Source) knownOwners(socks []sampler.Socket) {
	s.catchUp()
	s.mu.Lock()
	s.attr.Known(socks)
	s.mu.Unlock()
}

// closedForGoodSetter is an inner source whose release watcher can be
// spared TIME_WAIT lookups (sockdiag.Source.SetClosedForGood).
type closedForGoodSetter interface {
	SetClosedForGood(func(cookie uint64) bool)
}

func alive(pid int32) bool {
	return syscall.Kill(int(pid), 0) != syscall.ESRCH
}

// run reads the kernel's records for the source's whole life.
func (s *Source) run(ctx context.Context) {
	defer close(s.done)
	var tr sampler.Transition
	var pf sampler.PortFailure
	d := Decoder{Clock: s.probe.clock}
	// A burst's transitions go on together, as the reader flushes (see
	// Probe.ReadBursts): straight to a subscriber of batches when nothing
	// waits before them (one wakeup a burst: the subscriber's), else to
	// the queue (and the forwarder).
	var burst []sampler.Transition
	// rels are the releases the burst's transitions made: passed on
	// after the burst, so that none overtakes its transitions.
	var rels []sampler.Release
	var tw TimeWait
	flush := func() {
		defer func() {
			if len(rels) > 0 {
				s.rels.push(rels)
				rels = rels[:0]
			}
		}()
		switch {
		case len(burst) == 0:
		case s.handOff(burst):
			// Theirs now: the next is one they handed back, or one with
			// room for as many (growing one from nothing cost more than
			// the rest of the reader).
			burst = s.nextBurst(len(burst))
		default:
			s.q.pushAll(burst)
			clear(burst) // the names and paths they hold
			burst = burst[:0]
		}
	}
	_ = s.probe.ReadBursts(ctx, func(raw []byte) {
		if isTimeWait(raw) {
			switch err := decodeTimeWait(raw, d.Clock, &tw); {
			case err != nil:
				s.undecodable.Add(1)
			case s.ownReleases && s.mine(tw.NetNS):
				if rel, ok := s.hand.note(tw); ok && s.rels.watched() {
					rels = append(rels, s.named(rel))
				}
			}
			return
		}
		isFail, err := d.Decode(raw, &tr, &pf)
		switch {
		case err != nil:
			s.undecodable.Add(1)
		case isFail && !s.mine(pf.NetNS), !isFail && !s.mine(tr.NetNS):
			// another network namespace's: netlink does not show its sockets
		case isFail:
			pf.NetnsName = ""
			if names := s.names.Load(); names != nil && pf.NetNS != 0 {
				pf.NetnsName = (*names)[pf.NetNS] // as transitions' Place
			}
			if pf.Op == sampler.FailedBind {
				s.binds.Add(1)
			} else {
				s.connects.Add(1)
			}
			last := pf
			s.lastFailure.Store(&last)
			s.subMu.Lock()
			sub := s.failed
			s.subMu.Unlock()
			send(ctx, sub, pf)
		default:
			s.closed.note(&tr)
			s.mu.Lock()
			rel, released := s.attr.Transition(tr)
			var opener sampler.Actor
			known := false
			if opening(tr) {
				opener, known = s.attr.Opener(tr)
			}
			s.mu.Unlock()
			s.describe(&tr, opener, known)
			if s.watched() {
				burst = append(burst, tr)
			}
			if released && s.ownReleases && s.rels.watched() {
				s.hand.release(&tr, &rel)
				rel.Socket.Place = tr.Place
				rels = append(rels, rel)
			}
			if s.ownReleases {
				// The peer's close: a FIN_WAIT2 timewait socket turned
				// TIME_WAIT without a record (handovers.peerClosed).
				if rel, ok := s.hand.peerClosed(&tr); ok && s.rels.watched() {
					rels = append(rels, s.named(rel))
				}
			}
		}
	}, flush)
}

// named gives rel, a timewait socket's change to TIME_WAIT, its
// namespace's name.
func (s *Source) named(rel sampler.Release) sampler.Release {
	if names := s.names.Load(); names != nil && rel.Socket.Netns != 0 {
		rel.Socket.Place = rel.Socket.Place.WithNames(sampler.PlaceNames{NetnsName: (*names)[uint32(rel.Socket.Netns)]})
	}
	return rel
}

// spareBatches bounds the batches kept for reuse (RecycleBatch).
const spareBatches = 8

// RecycleBatch takes back a batch the subscriber is done with
// (sampler.BatchRecycler): the reader fills it with a later burst.
func (s *Source) RecycleBatch(b []sampler.Transition) {
	select {
	case s.spare <- b[:0]:
	default: // enough kept
	}
}

// nextBurst is an empty slice for the reader's next burst: one handed
// back, else a new one with room for n.
func (s *Source) nextBurst(n int) []sampler.Transition {
	select {
	case b := <-s.spare:
		return b
	default:
		return make([]sampler.Transition, 0, max(64, n))
	}
}

// handOff sends b to a subscriber of batches without waiting, if one
// takes it now and nothing queued is still to be handed on before it;
// false otherwise (b is then the caller's still).
func (s *Source) handOff(b []sampler.Transition) bool {
	s.subMu.Lock()
	sub := s.batches
	s.subMu.Unlock()
	if sub == nil {
		return false
	}
	return s.q.bypass(len(b), func() bool {
		select {
		case sub.out <- b:
			return true
		default:
			return false
		}
	})
}

// watched reports whether transitions have a subscriber.
func (s *Source) watched() bool {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	return s.trans != nil || s.batches != nil
}

// forward hands the queued transitions to the subscriber, in order: to a
// subscriber of batches, all that is queued in one send (the slice is
// theirs); to one of single transitions, one by one.
func (s *Source) forward(ctx context.Context) {
	defer close(s.fwdDone)
	var batch []sampler.Transition // reused for single sends
	for {
		s.subMu.Lock()
		batched := s.batches != nil
		s.subMu.Unlock()
		// A batch handed back (RecycleBatch), filled up to its room, or
		// none: popAll makes one of the size queued, a segment at most.
		dst := batch[:0]
		if batched {
			dst = nil
			select {
			case dst = <-s.spare:
			default:
			}
		}
		got, ok := s.q.popAll(dst)
		if !ok {
			return
		}
		s.subMu.Lock()
		sub, subB := s.trans, s.batches
		s.subMu.Unlock()
		if subB != nil {
			send(ctx, subB, got)
			if !batched {
				batch = nil // got was it: theirs now
			}
		} else {
			for i := range got {
				send(ctx, sub, got[i])
			}
			if !batched && cap(got) <= 4096 {
				batch = got // else a burst's: let it go
			}
		}
		s.q.handedN(len(got))
	}
}

// mine reports whether a record's namespace is one the inner source
// samples: any when it samples all, else porttop's (0: unknown, kept).
func (s *Source) mine(netns uint32) bool { return s.allNetns || netns == 0 || netns == s.netns }

// opening reports whether tr opens its socket, or first shows its port
// (sampler.Transition's Opener and Place are filled on these): connect,
// listen, an accepted child's birth and its handshake's end, and a
// connect's handshake's end.
func opening(tr sampler.Transition) bool {
	switch {
	case tr.From == sampler.StateClose,
		tr.From == sampler.StateListen && tr.To == sampler.StateSynRecv,
		tr.From == sampler.StateSynRecv && tr.To == sampler.StateEstablished,
		tr.From == sampler.StateSynSent && tr.To == sampler.StateEstablished:
		return true
	}
	return false
}

// describe fills in a transition's Opener and Place from the process that
// opened its socket: pid, name and uid (Gone when it has exited), and the
// namespace's name and the opener's cgroup and container.
func (s *Source) describe(tr *sampler.Transition, opener sampler.Actor, known bool) {
	tr.Opener, tr.Place = sampler.Owner{UID: -1}, sampler.Place{Netns: uint64(tr.NetNS)}
	var names sampler.PlaceNames
	if netnsNames := s.names.Load(); netnsNames != nil && tr.NetNS != 0 {
		names.NetnsName = (*netnsNames)[tr.NetNS]
	}
	if !known {
		tr.Place = tr.Place.WithNames(names)
		return
	}
	// The acting process is running now; another (the listener of an
	// accepted socket, a connect seen earlier) may have exited.
	running := tr.Actor.Known && tr.Actor.PID == opener.PID
	tr.Opener = sampler.Owner{PID: opener.PID, UID: int32(opener.UID), Process: opener.Comm, Gone: !running && !s.alive(opener.PID)}
	tr.Place.CgroupID = opener.CgroupID
	if s.cg != nil && opener.CgroupID != 0 {
		names.Cgroup, _ = s.cg.Path(opener.CgroupID)
		names.Container = cgroup.Parse(names.Cgroup).Container
	}
	tr.Place = tr.Place.WithNames(names)
}

// send hands v to the subscriber, waiting while it is busy (the kernel
// buffers meanwhile and counts what it cannot hold).
func send[T any](ctx context.Context, sub *subscriber[T], v T) {
	if sub == nil {
		return
	}
	select {
	case sub.out <- v:
	case <-sub.done:
	case <-ctx.Done():
	}
}

// Name is "ebpf".
func (s *Source) Name() string { return "ebpf" }

// Sample is the inner source's table with the processes the kernel saw
// open its sockets filled in where the table has none.
func (s *Source) Sample(ctx context.Context) (sampler.Snapshot, error) {
	full := !s.narrowed.Load()
	lost := int64(s.probe.Lost())
	snap, err := s.inner.Sample(ctx)
	if err != nil {
		return snap, err
	}
	s.sampled(&snap, full, lost, nil)
	return snap, nil
}

// SampleKept is Sample with the rows keep returns false for left out as
// the inner source's dump reads them (sampler.RowFilter), where the inner
// source can filter: the Attributor names the rows kept, and the owners
// of the TCP sockets left out count as seen now (their owners are not
// forgotten as of sockets gone). filtered false: a whole Sample.
func (s *Source) SampleKept(ctx context.Context, keep func(*sampler.Socket) bool) (sampler.Snapshot, bool, error) {
	f, ok := s.inner.(sampler.RowFilter)
	if !ok || keep == nil {
		snap, err := s.Sample(ctx)
		return snap, false, err
	}
	full := !s.narrowed.Load()
	lost := int64(s.probe.Lost())
	var seen []uint64 // cookies of TCP rows left out, told the Attributor in bursts
	tell := func() {
		s.mu.Lock()
		s.attr.Saw(seen, time.Now())
		s.mu.Unlock()
		seen = seen[:0]
	}
	snap, filtered, err := f.SampleKept(ctx, func(row *sampler.Socket) bool {
		if keep(row) || row == nil {
			return true
		}
		if row.Proto == sampler.TCP && row.Cookie != 0 {
			if seen = append(seen, row.Cookie); len(seen) == sawBurst {
				tell()
			}
		}
		return false
	})
	if err != nil {
		return snap, false, err
	}
	s.sampled(&snap, full, lost, seen)
	return snap, filtered, nil
}

// sawBurst is how many cookies of rows left out SampleKept tells the
// Attributor at once (8 KB), so that its lock is not taken a row.
const sawBurst = 1024

// sampled is what Sample does with the inner source's snapshot: the
// kernel's dropped records as the sample began, the namespaces' names,
// and the owners the transitions told (seen: cookies of sockets left out
// of it, as they are).
func (s *Source) sampled(snap *sampler.Snapshot, full bool, lost int64, seen []uint64) {
	if full {
		s.lostAtFull.Store(lost)
	}
	if r, ok := s.inner.(sampler.NetnsRanger); ok {
		names := map[uint32]string{}
		for _, n := range r.NetnsRanges() {
			if n.NetnsName != "" {
				names[uint32(n.Netns)] = n.NetnsName
			}
		}
		s.names.Store(&names)
	}
	// The sample can hold sockets whose opening transitions are still in
	// the ring buffer: let the reader reach them first.
	s.catchUp()
	s.mu.Lock()
	s.attr.Saw(seen, snap.Time)
	s.attr.Sample(snap)
	s.mu.Unlock()
}

var errWatched = errors.New("ebpf: already watched")

// WatchReleases passes on the inner source's release reports (netlink's
// socket-destroy groups: exact cookies, and TIME_WAIT told apart), each TCP
// one named with the process that opened the socket where the report has
// none. (Releases made from the transitions alone would lack the socket
// cookie the poller keys its table by: a tracepoint program cannot read it.)
func (s *Source) WatchReleases(ctx context.Context, out chan<- sampler.Release) error {
	if s.ownReleases {
		return s.watchOwnReleases(ctx, out)
	}
	w, ok := s.inner.(sampler.ReleaseWatcher)
	if !ok {
		return fmt.Errorf("ebpf: %s source reports no releases", s.inner.Name())
	}
	mid := make(chan sampler.Release, 256)
	errc := make(chan error, 1)
	go func() { errc <- w.WatchReleases(ctx, mid) }()
	batch := make([]sampler.Release, 0, maxReleaseBatch)
	hold := time.NewTimer(time.Hour)
	hold.Stop()
	for {
		select {
		case r := <-mid:
			// Take what else comes for a moment (releaseCoalesce), so that
			// one catch-up with the ring buffer serves the whole burst:
			// each catch-up wakes the reader out of its own coalescing.
			batch = append(batch[:0], r)
			if s.innerCoalesces {
				batch = takeQueued(mid, batch) // a burst came whole
			} else {
				hold.Reset(releaseCoalesce)
				for more := true; more && len(batch) < cap(batch); {
					select {
					case r := <-mid:
						batch = append(batch, r)
					case <-hold.C:
						more = false
					case <-ctx.Done():
						more = false
					}
				}
				hold.Stop()
			}
			// The transitions before these releases go to a subscriber
			// first: a poller reconciles them in the kernel's order.
			watched := s.watched()
			if watched {
				s.catchUpInPause()
				s.handedOn()
			}
			s.name(batch, !watched)
			for _, r := range batch {
				select {
				case out <- r:
				case <-ctx.Done():
				}
			}
		case err := <-errc:
			return err
		}
	}
}

// takeQueued appends to batch what waits in queue, up to batch's capacity.
func takeQueued(queue <-chan sampler.Release, batch []sampler.Release) []sampler.Release {
	for len(batch) < cap(batch) {
		select {
		case r := <-queue:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// releaseCoalesce is how long a release report waits for others to go
// with it through one catch-up (see WatchReleases); the reader itself
// reads the ring at most every coalesce. maxReleaseBatch bounds a batch.
const (
	releaseCoalesce = 25 * time.Millisecond
	maxReleaseBatch = 1024
)

// name fills in released sockets' openers. netlink's report can overtake
// the transitions that name it, still in the ring buffer: when an opener is
// unknown and the reader has not caught up for this batch yet (catchUp),
// it waits for the records written before the reports to be read, once
// for the batch.
func (s *Source) name(batch []sampler.Release, catchUp bool) {
	missing := false
	s.mu.Lock()
	for i := range batch {
		if !s.attr.Name(&batch[i].Socket) && batch[i].Socket.Proto == sampler.TCP {
			missing = true
		}
	}
	s.mu.Unlock()
	if !missing || !catchUp {
		return
	}
	s.catchUp()
	s.mu.Lock()
	for i := range batch {
		if batch[i].Socket.PID == 0 {
			s.attr.Name(&batch[i].Socket)
		}
	}
	s.mu.Unlock()
}

// catchUp waits, at most maxCatchUp, until the reader has handled every
// record written so far (Probe.Barrier): the Attributor has it, and the
// subscriber's queue. Called after a sample's dump, it lets the opening
// transitions of every socket in it be read first (it never waits on the
// subscriber, who may be the one sampling). Called as a batch of netlink
// releases arrives, then followed by handedOn, it holds them until the
// transitions the kernel made before it sent them (a destroy report is
// sent after the socket's last transition) are in the subscriber's
// channel: a subscriber that takes the transitions already queued before
// it applies a release sees them in the kernel's order.
func (s *Source) catchUp() {
	if !s.probe.Barrier(maxCatchUp) && s.probe.RingBuffer() {
		s.lateCatchUps.Add(1)
	}
}

// catchUpInPause is catchUp leaving a reader in its pause to end it
// (Probe.BarrierInPause): a release burst waits up to the reader's pause
// (coalesce) longer rather than waking it, ~10 times a second under churn.
func (s *Source) catchUpInPause() {
	if !s.probe.BarrierInPause(maxCatchUp) && s.probe.RingBuffer() {
		s.lateCatchUps.Add(1)
	}
}

// handedOn waits, at most maxCatchUp, until every transition queued so
// far is in the subscriber's channel.
func (s *Source) handedOn() {
	if !s.q.awaitHanded(maxCatchUp) {
		s.lateCatchUps.Add(1)
	}
}

// maxCatchUp bounds a catch-up: the reader, poked, normally gets there in
// well under a millisecond; this only stops a stalled subscriber (one not
// taking transitions) from holding releases and samples for good.
const maxCatchUp = 500 * time.Millisecond

// WatchTransitions sends every TCP transition and failed hand-out in the
// namespaces the inner source samples (every one, or porttop's) until ctx
// ends, each transition with its namespace and, where known, its socket's
// opener and place.
func (s *Source) WatchTransitions(ctx context.Context, out chan<- sampler.Transition, failed chan<- sampler.PortFailure) error {
	if err := s.subscribeTransitions(ctx, out, nil); err != nil {
		return err
	}
	defer unsubscribe(s, &s.trans)
	if err := subscribe(s, &s.failed, ctx, failed); err != nil {
		return err
	}
	defer unsubscribe(s, &s.failed)
	<-ctx.Done()
	return nil
}

// WatchTransitionBatches is WatchTransitions sending the transitions in
// batches (sampler.BatchWatcher): each burst the reader read, whole.
func (s *Source) WatchTransitionBatches(ctx context.Context, out chan<- []sampler.Transition, failed chan<- sampler.PortFailure) error {
	if err := s.subscribeTransitions(ctx, nil, out); err != nil {
		return err
	}
	defer unsubscribe(s, &s.batches)
	if err := subscribe(s, &s.failed, ctx, failed); err != nil {
		return err
	}
	defer unsubscribe(s, &s.failed)
	<-ctx.Done()
	return nil
}

// subscribeTransitions takes the one subscription to transitions: single
// ones to one, or batches to batches.
func (s *Source) subscribeTransitions(ctx context.Context, one chan<- sampler.Transition, batches chan<- []sampler.Transition) error {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	if s.trans != nil || s.batches != nil {
		return errWatched
	}
	if batches != nil {
		s.batches = &subscriber[[]sampler.Transition]{out: batches, done: ctx.Done()}
	} else {
		s.trans = &subscriber[sampler.Transition]{out: one, done: ctx.Done()}
	}
	return nil
}

func subscribe[T any](s *Source, slot **subscriber[T], ctx context.Context, out chan<- T) error {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	if *slot != nil {
		return errWatched
	}
	*slot = &subscriber[T]{out: out, done: ctx.Done()}
	return nil
}

func unsubscribe[T any](s *Source, slot **subscriber[T]) {
	s.subMu.Lock()
	*slot = nil
	s.subMu.Unlock()
}

// Lost is how many kernel records were dropped because porttop fell behind.
func (s *Source) Lost() uint64 { return s.probe.Lost() }

// PortFailures are the counts of failed hand-outs in the namespaces the
// inner source samples since start, with records dropped by the kernel (all
// namespaces), and the latest failure seen (zero when none).
func (s *Source) PortFailures() (Counts, sampler.PortFailure, error) {
	k, err := s.probe.Counts()
	c := Counts{Dropped: k.Dropped, ConnectFailed: s.connects.Load(), BindFailed: s.binds.Load()}
	var last sampler.PortFailure
	if p := s.lastFailure.Load(); p != nil {
		last = *p
	}
	return c, last, err
}

// Notes are the inner source's notes, then what the kernel side runs
// without and records dropped.
func (s *Source) Notes() []string {
	var notes []string
	if n, ok := s.inner.(sampler.Noter); ok {
		notes = append(notes, n.Notes()...)
	}
	notes = append(notes, s.probe.Notes()...)
	// Failed hand-outs are not a note: they go to the poller through
	// WatchTransitions and out in Batch.Failures.
	c, _, err := s.PortFailures()
	if err == nil && c.Dropped > 0 {
		notes = append(notes, fmt.Sprintf("%d kernel events dropped (porttop fell behind): some processes and closes are missing", c.Dropped))
	}
	if n := s.rels.dropped.Load(); n > 0 {
		notes = append(notes, fmt.Sprintf("%d TCP releases dropped (porttop fell behind): the next check settles those sockets", n))
	}
	if n := s.lateCatchUps.Load(); n > 0 {
		// A release let through before its transitions opens its socket
		// from netlink's report, without the process that opened it.
		notes = append(notes, fmt.Sprintf("%d waits for the kernel events' reader gave up after %v (porttop fell behind): a socket released meanwhile may lack its process", n, maxCatchUp))
	}
	return notes
}

// Close stops reading and releases the kernel programs, then closes the
// inner source if it can be closed.
func (s *Source) Close() error {
	var err error
	s.once.Do(func() {
		s.stop()
		s.q.close()
		err = s.probe.Close()
		<-s.done
		<-s.fwdDone
		if c, ok := s.inner.(interface{ Close() error }); ok {
			err = errors.Join(err, c.Close())
		}
		if s.cg != nil {
			s.cg.Close()
		}
	})
	return err
}

// CompleteTransitions reports whether the transition stream is the whole
// story of every TCP socket the samples show (sampler.EventTable): the
// cookie program runs (each transition names its socket by cookie and
// namespace) and the kernel has dropped no record since the last full
// Sample began. False before the first full Sample.
func (s *Source) CompleteTransitions() bool {
	at := s.lostAtFull.Load()
	return s.probe.Cookies() && at >= 0 && uint64(at) == s.probe.Lost()
}

// SetQuery narrows the inner source's samples.
func (s *Source) SetQuery(q sampler.Query) {
	s.narrowed.Store(len(q.Protos) != 0 || q.States != 0 || len(q.Ports) != 0)
	if qs, ok := s.inner.(sampler.Queryable); ok {
		qs.SetQuery(q)
	}
}

// OwnersHidden is the inner source's answer.
func (s *Source) OwnersHidden() (bool, string) {
	if o, ok := s.inner.(sampler.Owners); ok {
		return o.OwnersHidden()
	}
	return false, ""
}

// KernelCounters are the inner source's.
func (s *Source) KernelCounters() (sampler.KernelCounters, error) {
	if cr, ok := s.inner.(sampler.CounterReader); ok {
		return cr.KernelCounters()
	}
	return sampler.KernelCounters{}, errors.New("ebpf: the inner source has no kernel counters")
}

// KernelCountersAtFirstDumpEnd is the inner source's (see
// sampler.AuditStartReader): the poller's audit starts from the counters
// as the first dump ended, and takes no second whole sample at once to
// start it from (a second table beside the first at porttop's start).
func (s *Source) KernelCountersAtFirstDumpEnd() (sampler.KernelCounters, error) {
	if a, ok := s.inner.(sampler.AuditStartReader); ok {
		return a.KernelCountersAtFirstDumpEnd()
	}
	return sampler.KernelCounters{}, errors.New("ebpf: the inner source cannot read the counters as its first dump ended")
}

// Recycle hands the sockets back to the inner source.
func (s *Source) Recycle(sockets []sampler.Socket) {
	if r, ok := s.inner.(sampler.SocketRecycler); ok {
		r.Recycle(sockets)
	}
}

// UDPQuiet is the inner source's (see sockdiag's Source.UDPQuiet); false
// when it cannot tell.
func (s *Source) UDPQuiet() bool {
	q, ok := s.inner.(interface{ UDPQuiet() bool })
	return ok && q.UDPQuiet()
}

// Quiet is the inner source's: the table cannot have changed since its
// last sample (the poller then skips a tick's sample).
func (s *Source) Quiet() bool {
	q, ok := s.inner.(sampler.QuietSource)
	return ok && q.Quiet()
}
