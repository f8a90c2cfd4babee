package sockdiag

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/procowner"
)

// recvBufSize fits the largest datagram the kernel builds for a dump (it
// sizes dump skbs to the reader's buffer, up to 32 KiB on current kernels).
const recvBufSize = 64 << 10

// errInterrupted reports a dump the kernel flagged NLM_F_DUMP_INTR (the table
// changed under it); Sample retries.
var errInterrupted = errors.New("sock_diag dump interrupted (NLM_F_DUMP_INTR)")

// maxDumpRetries bounds retries of a dump the kernel marked inconsistent.
const maxDumpRetries = 3

// keptRoom is the room a filtered sample's table starts with (SampleKept):
// the rows that differ from the caller's, a few hundred at a check.
const keptRoom = 1024

// Source samples the socket table over netlink sock_diag. Sample, SetQuery,
// KernelCounters and OwnersHidden may be called from one goroutine while
// WatchReleases runs in another.
type Source struct {
	mu      sync.Mutex // guards everything below but the atomics
	c       Conn
	dial    func() (Conn, error)
	dialed  bool // dial came from Options.Dial
	buf     []byte
	req     []byte
	seq     uint32
	plan    []dump
	query   sampler.Query
	refused refusals
	owners  resolver
	// lastCount is the rows of the last Sample of the whole table [0]
	// and of a narrowed one [1] (see lastOf): the next Sample of that kind
	// is sized by it.
	lastCount [2]int
	// lastKept is the rows the last SampleKept kept: the next is sized by
	// it (a check keeps the sockets events opened in its 10 s, ~20k at
	// 2,000 connections a second: grown by appends from keptRoom, 25 MB
	// were allocated in a 40 s run).
	lastKept int
	spare    []sampler.Socket
	// sig is the counters' signature read as the last good Sample began
	// (nil: none), for Quiet; sigNow and fileBufs are reused buffers.
	sig, sigNow []byte
	fileBufs    [3][]byte
	// udpSig is the UDP part of the signature, read as the last Sample
	// that held UDP sockets began (nil: none; see UDPQuiet).
	udpSig, udpSigNow []byte
	// counters are the partial-sample reference counters the last Sample's
	// dump began with (read with sig, or afresh before a full dump that
	// followed a refused partial one), so KernelCounters needs no read of
	// its own (nil: none yet).
	counters *sampler.KernelCounters
	// auditStart are the counters as the first good Sample's dump ended
	// (see KernelCountersAtFirstDumpEnd; nil: none yet).
	auditStart *sampler.KernelCounters
	part       partialState

	// released is the query for the release watcher, which must not wait
	// on mu while a sample runs (nil: everything).
	released atomic.Pointer[sampler.Query]

	// closedForGood spares the release watcher TIME_WAIT lookups (see
	// SetClosedForGood; nil: none).
	closedForGood atomic.Pointer[func(cookie uint64) bool]
	// coalesce is the release watcher's wait for a burst (see
	// CoalesceReleases), a time.Duration.
	coalesce atomic.Int64

	// keep is SampleKept's filter while its dump runs (nil: every row);
	// row, the row it is asked of.
	keep func(*sampler.Socket) bool
	row  sampler.Socket

	hidden atomic.Bool
	lost   atomic.Uint64
	procfs string
	// readCounters reads a counter file (Options.ReadCounters, or from
	// procfs by path).
	readCounters func(name string, buf []byte) ([]byte, error)
	proc         procFiles // the counter files, kept open
}

var (
	_ sampler.Source        = (*Source)(nil)
	_ sampler.Queryable     = (*Source)(nil)
	_ sampler.Owners        = (*Source)(nil)
	_ sampler.CounterReader = (*Source)(nil)
	_ sampler.RowFilter     = (*Source)(nil)
)

// resolver attributes sampled sockets to processes (procowner.Resolver);
// hidden is true when some could not be, for lack of privilege.
type resolver interface {
	Attribute(socks []sampler.Socket, now time.Time) (hidden bool)
	// AttributePart is Attribute for a sample a query narrowed: the
	// owners of the sockets it leaves out stay cached.
	AttributePart(socks []sampler.Socket, now time.Time) (hidden bool)
	// OwnersDue reports whether a whole table is wanted to settle owners
	// that may have exec'd or exited (a filtered sample keeps the owners
	// of the rows it leaves out).
	OwnersDue(now time.Time) bool
	Close()
}

// New opens a sock_diag socket in this process's network namespace and
// checks with one small dump that the kernel answers, so that a caller can
// fall back to another source at once.
func New() (*Source, error) { return Open(Options{}) }

// Open is New with Options: the netlink sockets from opts.Dial, the
// counters from opts.Procfs. Owners are found from /proc (procowner).
func Open(opts Options) (*Source, error) {
	s := &Source{
		dial:   dialDefault,
		buf:    make([]byte, recvBufSize),
		owners: procowner.New("/proc"),
		procfs: "/proc",
	}
	if opts.Dial != nil {
		s.dial, s.dialed = opts.Dial, true
	}
	if opts.Procfs != "" {
		s.procfs = opts.Procfs
	}
	s.readCounters = func(name string, buf []byte) ([]byte, error) { return s.proc.read(s.procfs+"/"+name, buf) }
	if opts.ReadCounters != nil {
		s.readCounters = opts.ReadCounters
	}
	if err := s.start(); err != nil {
		s.owners.Close()
		return nil, err
	}
	return s, nil
}

// start dials the dump socket and probes it.
func (s *Source) start() error {
	c, err := s.dial()
	if err != nil {
		return err
	}
	s.c = c
	s.replan()
	// A probe: listening TCP sockets only, usually a handful.
	probe := dump{family: afInet, protocol: ipprotoTCP, proto: sampler.TCP, states: 1 << sampler.StateListen}
	if _, err := s.runDump(nil, probe); err != nil {
		if s.c != nil {
			s.c.Close()
			s.c = nil
		}
		return fmt.Errorf("netlink sock_diag does not answer: %w", err)
	}
	return nil
}

// Name is "netlink".
func (s *Source) Name() string { return "netlink" }

// Close releases the netlink socket.
func (s *Source) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.proc.close()
	if s.owners != nil { // nil: WithoutOwners
		s.owners.Close()
	}
	if s.c == nil {
		return nil
	}
	err := s.c.Close()
	s.c = nil
	return err
}

// SetQuery narrows later samples: protocols and states through the request's
// idiag_states mask, ports through an inet_diag bytecode filter run by the
// kernel (local or remote port in any range). More than 64 ranges, or a
// kernel that refuses bytecode, leave ports to the consumer's own filter.
func (s *Source) SetQuery(q sampler.Query) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.query = q
	s.released.Store(&q)
	s.replan()
	s.sig = nil
}

// Recycle hands back the Sockets slice of a snapshot that nobody references
// any more, so the next Sample can reuse its memory instead of allocating.
// Optional: without it each Sample allocates one slice.
func (s *Source) Recycle(sockets []sampler.Socket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sameMemory(sockets, s.part.prev.rows) {
		s.keepOwnCopy()
	}
	if cap(sockets) > cap(s.spare) {
		s.spare = sockets[:0]
	}
}

// Sample dumps TCP and UDP over IPv4 and IPv6 and attributes sockets to
// processes from the inode cache.
func (s *Source) Sample(ctx context.Context) (sampler.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sample(ctx, nil)
}

// SampleKept is Sample with the rows keep returns false for left out as
// the dump reads them (sampler.RowFilter): a whole dump (no partial
// sample), its table sized by the rows kept, and only the rows kept
// attributed to processes (the cache keeps the owners of the others).
// Nothing is kept for a partial sample, and the next whole Sample is
// sized by the last whole one. When the owners may have changed (one of
// the table's exec'd or exited: OwnersDue) it is a whole Sample, filtered
// false, so that the whole table is named again.
func (s *Source) SampleKept(ctx context.Context, keep func(*sampler.Socket) bool) (sampler.Snapshot, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if keep == nil || s.query.Narrows() || s.owners != nil && s.owners.OwnersDue(time.Now()) {
		snap, err := s.sample(ctx, nil)
		return snap, false, err
	}
	s.keep = keep
	defer func() { s.keep = nil }()
	snap, err := s.sample(ctx, keep)
	return snap, true, err
}

// sample is Sample; with keep, SampleKept's.
func (s *Source) sample(ctx context.Context, keep func(*sampler.Socket) bool) (sampler.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return sampler.Snapshot{}, err
	}
	if err := s.ensureConn(); err != nil {
		return sampler.Snapshot{}, err
	}
	// Read before the dump: a change during it shows at the next Quiet.
	sig, sigOK := s.signature(s.sigNow[:0])
	s.sigNow, s.sig = s.sig[:0], nil
	s.noteUDPSignature(sigOK)
	before, beforeOK := tcpCounters{}, false
	if sigOK {
		before, beforeOK = parseTCPCounters(s.fileBufs[0])
	}
	last := s.lastCount[s.lastOf()]
	if s.lastOf() == 0 && sigOK {
		// The first, or a whole table after narrowed ones (the ebpf
		// source's check, 10 s after the last): sized by sockstat's count
		// now, not by a table that may have grown since. The poller
		// appends to a check's table the rows of the sockets events
		// touched during its dump (poll's keepTouched): a table sized
		// by the last check's count was full, and that append copied it
		// whole (19 MB at 100k sockets, beside the base and the table
		// it copied).
		last = max(last, sockstatCount(s.fileBufs[1], s.fileBufs[2]))
	}
	if keep != nil {
		last = max(s.lastKept+s.lastKept/4, keptRoom) // the rows that differ: a check's new sockets
	}
	socks := sampler.Refill(s.spare, last)
	s.spare = nil
	begun := time.Now()
	partial := false
	if keep == nil && beforeOK && s.canPartial(before, begun) {
		socks, partial = s.samplePartial(socks[:0], before)
		if !partial { // the full dump's reference is now, not before the partial one
			before, beforeOK = s.readTCPCounters()
		}
	}
	if !partial {
		var err error
		if socks, err = s.sampleFull(socks[:0]); err != nil {
			s.udpSig = nil // no sample the next UDPQuiet could stand on
			return sampler.Snapshot{}, err
		}
		if keep == nil {
			s.afterFull(socks, before, beforeOK, begun)
		} else {
			s.part.refOK = false // no partial sample stands on a part of the table
		}
	}
	if s.auditStart == nil { // once, before attribution: see KernelCountersAtFirstDumpEnd
		if end, ok := s.readTCPCounters(); ok {
			s.auditStart = &sampler.KernelCounters{ActiveOpens: end.activeOpens, PassiveOpens: end.passiveOpens}
		}
	}
	if keep == nil {
		s.keepTCP(socks)
	} else {
		s.part.prev.forget()
	}
	if sigOK {
		s.sig = sig
	}
	if beforeOK { // as the dump that made this table began
		s.counters = &sampler.KernelCounters{ActiveOpens: before.activeOpens, PassiveOpens: before.passiveOpens}
	}
	now := time.Now()
	if keep == nil {
		s.lastCount[s.lastOf()] = len(socks)
	} else {
		s.lastKept = len(socks)
	}
	switch {
	case s.owners == nil: // WithoutOwners
	case s.query.Narrows() || keep != nil:
		s.hidden.Store(s.owners.AttributePart(socks, now))
	default:
		s.hidden.Store(s.owners.Attribute(socks, now))
	}
	return sampler.Snapshot{Time: now, Sockets: socks}, nil
}

// lastOf is the lastCount this Sample is sized by: the ebpf source's
// samples of UDP alone come between whole tables, and a whole table sized
// by the UDP sockets' count grew by appends from a few rows to 100k (108
// MB allocated for a 27 MB table, two of its sizes alive at the end).
func (s *Source) lastOf() int {
	if s.query.Narrows() {
		return 1
	}
	return 0
}

// sampleFull dumps the whole (queried) table, replanning around requests
// the kernel refuses.
func (s *Source) sampleFull(socks []sampler.Socket) ([]sampler.Socket, error) {
	if err := s.ensureConn(); err != nil { // a failed partial dump may have dropped it
		return socks, err
	}
	for attempt := 0; ; attempt++ {
		var err error
		socks, err = s.dumpAll(socks[:0])
		if err == nil {
			return socks, nil
		}
		if attempt < 2 && s.learnRefusal(err) {
			if s.keep != nil {
				s.keep(nil) // told of rows the next plan tells again, or not
			}
			continue
		}
		s.part.refOK = false
		return socks, err
	}
}

// ensureConn dials the dump socket again after a broken dump dropped it.
func (s *Source) ensureConn() error {
	if s.c != nil {
		return nil
	}
	c, err := s.dial()
	if err != nil {
		return err
	}
	s.c = c
	return nil
}

func (s *Source) dumpAll(socks []sampler.Socket) ([]sampler.Socket, error) {
	return s.dumpPlan(socks, s.plan)
}

// dumpPlan runs each dump of plan, appending to socks; an interrupted dump
// is retried. Under SampleKept's filter the whole plan starts over, keep
// told so (keep(nil)): it was told of rows the retry may not show.
func (s *Source) dumpPlan(socks []sampler.Socket, plan []dump) ([]sampler.Socket, error) {
	n0 := len(socks)
	for try := 0; ; try++ {
		out, err := s.dumpEach(socks[:n0], plan)
		if s.keep == nil || !errors.Is(err, errInterrupted) || try >= maxDumpRetries {
			return out, err
		}
		s.keep(nil)
		socks = out
	}
}

// dumpEach is dumpPlan's pass over plan: each dump retried alone when
// interrupted, unless filtered.
func (s *Source) dumpEach(socks []sampler.Socket, plan []dump) ([]sampler.Socket, error) {
	for _, d := range plan {
		n0 := len(socks)
		for try := 0; ; try++ {
			var err error
			socks, err = s.runDump(socks[:n0], d)
			if err == nil {
				break
			}
			if errors.Is(err, errInterrupted) {
				if try < maxDumpRetries && s.keep == nil {
					continue
				}
				return socks, fmt.Errorf("%w %d times in a row", err, try+1)
			}
			var errno syscall.Errno
			if !errors.As(err, &errno) && s.c != nil {
				// Not the kernel's answer: the conn may hold the rest of a
				// broken dump, so start afresh next time.
				s.c.Close()
				s.c = nil
			}
			return socks, err
		}
	}
	return socks, nil
}

// learnRefusal records a request kind the kernel refused and replans without
// it; it reports whether there is something left to try.
func (s *Source) learnRefusal(err error) bool {
	usesBytecode := len(s.plan) > 0 && s.plan[0].bytecode != nil
	usesCompat := len(s.plan) > 0 && s.plan[0].family == afUnspec
	switch {
	case errors.Is(err, errnoEOPNOTSUPP) && usesCompat:
		s.refused.compat = true
	case errors.Is(err, errnoEINVAL) && usesBytecode:
		s.refused.bytecode = true
	case errors.Is(err, errnoEINVAL) && usesCompat:
		s.refused.compat = true
	default:
		return false
	}
	s.replan()
	return true
}

// runDump sends one dump request and appends its sockets to socks.
func (s *Source) runDump(socks []sampler.Socket, d dump) ([]sampler.Socket, error) {
	s.seq++
	seq := s.seq
	if d.family == afUnspec {
		s.req = appendTCPDump(s.req[:0], seq, d.states, d.bytecode)
	} else {
		s.req = appendRequest(s.req[:0], seq, true, d.family, d.protocol, d.states, nil, d.bytecode)
	}
	if err := s.c.Send(s.req); err != nil {
		return socks, fmt.Errorf("send sock_diag request: %w", err)
	}
	at := time.Now() // idiag_expires counts from the dump; it takes milliseconds
	add := func(m diagMsg) { socks = append(socks, toSocketAt(m, d.proto, at)) }
	if keep := s.keep; keep != nil {
		add = func(m diagMsg) {
			// One row for all: keep's pointer would make each its own.
			if s.row = toSocketAt(m, d.proto, at); keep(&s.row) {
				socks = append(socks, s.row)
			}
		}
	}
	interrupted := false
	for {
		n, err := s.c.Recv(s.buf)
		if err != nil {
			return socks, fmt.Errorf("receive sock_diag reply: %w", err)
		}
		done, intr, err := parseDump(s.buf[:n], seq, add)
		interrupted = interrupted || intr
		if err != nil {
			return socks, err
		}
		if done {
			break
		}
	}
	if interrupted {
		return socks, errInterrupted
	}
	return socks, nil
}

// OwnersHidden reports whether, in the last sample, sockets of other users
// could not be attributed because this process may not read their /proc.
func (s *Source) OwnersHidden() (bool, string) {
	if s.hidden.Load() {
		return true, procowner.HiddenHint
	}
	return false, ""
}

// KernelCountersAtFirstDumpEnd gives Tcp ActiveOpens and PassiveOpens as
// /proc/net/snmp had them when the first good Sample's dump ended, before
// attribution: every connection of that sample is counted in them, so a
// poller's audit of opens starts there (sampler.AuditStartReader).
func (s *Source) KernelCountersAtFirstDumpEnd() (sampler.KernelCounters, error) {
	s.mu.Lock()
	c := s.auditStart
	s.mu.Unlock()
	if c == nil {
		return sampler.KernelCounters{}, errors.New("no sample has ended yet")
	}
	return *c, nil
}

// KernelCounters gives Tcp ActiveOpens and PassiveOpens as /proc/net/snmp
// had them when the last Sample's dump began (already parsed for partial
// samples), or reads them now before any Sample.
func (s *Source) KernelCounters() (sampler.KernelCounters, error) {
	s.mu.Lock()
	c := s.counters
	s.mu.Unlock()
	if c != nil {
		return *c, nil
	}
	b, err := s.readCounters("net/snmp", nil)
	if err != nil {
		return sampler.KernelCounters{}, err
	}
	return ParseSNMP(bytes.NewReader(b))
}

// ReadKernelCounters reads procfs/net/snmp (procfs is normally "/proc").
func ReadKernelCounters(procfs string) (sampler.KernelCounters, error) {
	f, err := os.Open(procfs + "/net/snmp")
	if err != nil {
		return sampler.KernelCounters{}, err
	}
	defer f.Close()
	return ParseSNMP(f)
}
