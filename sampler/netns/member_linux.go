//go:build linux

package netns

import (
	"bytes"
	"context"
	"sync/atomic"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/poll"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/sampler/sockdiag"
)

// fullEvery bounds how long a namespace's TCP sockets are carried over by
// refreshes (see refresh) before a full dump, whatever its counters say;
// each namespace adds up to a second more (by inode), so that namespaces
// opened together do not all come due in one round.
const fullEvery = 10 * time.Second

// member is one namespace being read.
type member struct {
	ns    NS
	src   *sockdiag.Source
	files *CounterFiles // its counters, opened inside it
	rng   *RangeFile    // nil: not readable
	cur   ports.Range
	count int
	// whole is its rows at its last read of the whole table (count is its
	// last read's, maybe narrowed to UDP): what a walk's slice is sized by.
	whole int
	// fresh reads the part of its table that its counters do not vouch
	// for: UDP sockets (a bound one connecting moves no counter) and TCP
	// listeners (cheap: no walk of the established hash).
	fresh     *sockdiag.Source
	freshNone bool // the query wants nothing a refresh reads
	// last is the namespace's last full dump, placed: its reader's
	// sample as handed out, not copied (the reader keeps its rows for its
	// next partial sample; the next dump hands it back to be filled, the
	// reader copying what it keeps first). freshRows is
	// the refresh reader's last sample, placed, likewise; refreshedSince
	// says it stands in for last's rows a refresh reads (see appendTable).
	last, freshRows []sampler.Socket
	refreshedSince  bool
	// out says last is the snapshot the Source handed out (see
	// Source.assemble), rows of other namespaces after m's: its consumer
	// may write to it, so m's next round reads m in full, and last goes
	// to nobody from m (the Source gets it back through Recycle).
	out bool
	// forced says this round's full read is only for out: its table is
	// copied, not handed out again, so that a quiet namespace goes back
	// to being skipped.
	forced bool
	// dumped is when last was read, full is when its last full dump was
	// (zero: none, or a read failed); fullGap is fullEvery plus this
	// namespace's share.
	dumped, full time.Time
	fullGap      time.Duration
	// quiet and refreshed count samples that skipped or refreshed the
	// namespace, for tests and benchmarks.
	quiet, refreshed uint64
	// sig is its counters' signature as its last read (dump or refresh)
	// began, est their established part (sockdiag.AppendEstablishedSignature)
	// as its last full dump began; sigNow, estNow and bufs are this
	// round's reading (see plan).
	sig, est, sigNow, estNow []byte
	bufs                     [len(counterNames)][]byte
	// watch is its release watcher while releases are watched. It sets
	// heardEst on a release of a TCP socket other than a listener (a full
	// dump is due), heardFresh on any other (a refresh is); reads clear
	// them as they begin.
	watch      *memberWatch
	heardEst   atomic.Bool
	heardFresh atomic.Bool
	// The walk (walk_linux.go): shared says m uses the initial namespace's
	// TCP established hash, the one a walk reads; dumpedOnce that a full
	// dump of m succeeded (it made cookies for every socket then there).
	// A walking round fills next with m's sockets and pending with those
	// still without a cookie, found by address through lookup (a sock_diag
	// socket in m, opened by dial at the first need). lastWalked says
	// last is m's own slice from a walk, not its reader's; walked counts
	// reads by walk, for tests and benchmarks.
	shared, dumpedOnce bool
	dial               func() (sockdiag.Conn, error)
	lookup             sockdiag.Conn
	next               []sampler.Socket
	pending            []sockdiag.Lookup
	inWalk, lastWalked bool
	walked             uint64
	// walkCounters are m's open counters as its last read began, when
	// that read was a walk (its reader, which keeps them for a dump, did
	// not sample); nil after a dump.
	walkCounters *sampler.KernelCounters
}

// kernelCounters are m's open counters as its last read began.
func (m *member) kernelCounters() (sampler.KernelCounters, error) {
	if m.walkCounters != nil {
		return *m.walkCounters, nil
	}
	return m.src.KernelCounters()
}

// heard marks m on a release of s (see member.watch).
func (m *member) heard(s *sampler.Socket) {
	if s.Proto == sampler.TCP && s.State != sampler.StateListen {
		m.heardEst.Store(true)
	} else {
		m.heardFresh.Store(true)
	}
}

// readSignature reads m's counters into sigNow and estNow; false when
// they cannot be read.
func (m *member) readSignature() bool {
	for i, name := range counterNames {
		b, err := m.files.Read(name, m.bufs[i][:0])
		m.bufs[i] = b
		if err != nil && i < 2 { // sockstat6 is missing without IPv6
			return false
		}
		if err != nil {
			m.bufs[i] = m.bufs[i][:0]
		}
	}
	m.sigNow = sockdiag.AppendSignature(m.sigNow[:0], m.bufs[0], m.bufs[1], m.bufs[2])
	m.estNow = sockdiag.AppendEstablishedSignature(m.estNow[:0], m.bufs[0], m.bufs[1], m.bufs[2])
	return true
}

// openMember opens a namespace's table, counters and range. Porttop's own
// namespace is read by plain sockdiag Sources; any other by ones whose
// sockets are all made inside it (partial samples and releases in each).
// All read counter files opened once inside the namespace.
func openMember(n NS) (*member, error) {
	files, err := OpenCounterFiles(n)
	if err != nil {
		return nil, err
	}
	open := func() (*sockdiag.Source, error) {
		var src *sockdiag.Source
		var err error
		if n.Self {
			src, err = sockdiag.Open(sockdiag.Options{ReadCounters: files.Read})
		} else {
			src, err = OpenSockDiag(n, files)
		}
		if err == nil {
			src.WithoutOwners() // the Source attributes all namespaces at once
		}
		return src, err
	}
	src, err := open()
	if err != nil {
		files.Close()
		return nil, err
	}
	m := &member{ns: n, src: src, files: files, fullGap: fullEvery + time.Duration(n.Inode%1000)*time.Millisecond}
	m.dial = Dialer(n)
	if n.Self {
		m.dial = sockdiag.Dial
	}
	m.shared, _ = SharesEhash(n) // unreadable: read by dumps
	if m.fresh, err = open(); err != nil {
		m.close()
		return nil, err
	}
	m.setQuery(sampler.Query{})
	if r, err := OpenRange(n); err == nil {
		m.rng = r
		m.cur, _ = r.Read()
	}
	return m, nil
}

func (m *member) close() {
	m.stopWatch()
	m.src.Close()
	if m.fresh != nil {
		m.fresh.Close()
	}
	m.files.Close()
	if m.rng != nil {
		m.rng.Close()
	}
	if m.lookup != nil {
		m.lookup.Close()
	}
}

// setQuery narrows the member's dumps and refreshes.
func (m *member) setQuery(q sampler.Query) {
	m.src.SetQuery(q)
	fq, ok := freshQuery(q)
	m.freshNone = !ok
	if ok {
		m.fresh.SetQuery(fq)
	}
	m.dumped, m.full = time.Time{}, time.Time{} // last holds the old query's sockets
}

// freshQuery narrows q to what a refresh reads: UDP sockets (StateNone)
// and TCP listeners. ok is false when nothing is left (a query for
// established TCP only): the counters vouch for all it wants.
func freshQuery(q sampler.Query) (_ sampler.Query, ok bool) {
	states := q.States
	if states == 0 {
		states = sampler.AllStates
	}
	q.States = states & sampler.MaskOf(sampler.StateNone, sampler.StateListen)
	return q, q.States != 0
}

// refreshes reports whether a refresh reads s afresh (else it carries it).
func (m *member) refreshes(s *sampler.Socket) bool {
	return !m.freshNone && (s.Proto != sampler.TCP || s.State == sampler.StateListen)
}

// how is what a round does with one namespace.
type how int

const (
	dump    how = iota // dump its table in full
	skip               // reuse its last sockets
	refresh            // carry its TCP over, read UDP and listeners afresh
)

// plan reads m's counters and decides how this round reads m. While the
// established part of its signature holds as at its last full dump, and
// no release of such a socket was heard, its TCP sockets other than
// listeners are as that dump saw them (any change of one moves a segment
// counter or the TIME_WAIT count): a refresh (listeners and UDP, no walk
// of the established hash) completes the table, up to fullGap after the
// full dump. When the whole signature holds as at its last read too, and
// no release at all was heard, that read stands for up to
// poll.MaxQuietGap, as the poller trusts a quiet source (a bound UDP
// socket connecting moves no counter).
func (m *member) plan(now time.Time) how {
	ok := m.readSignature()
	if !ok || m.full.IsZero() || m.heardEst.Load() || !bytes.Equal(m.estNow, m.est) || now.Sub(m.full) >= m.fullGap {
		return dump
	}
	if !m.heardFresh.Load() && bytes.Equal(m.sigNow, m.sig) && now.Sub(m.dumped) < poll.MaxQuietGap {
		return skip
	}
	return refresh
}

// isQuiet reports whether m's last read may stand for now (plan: skip).
func (m *member) isQuiet(now time.Time) bool { return m.plan(now) == skip }

// appendTable appends m's sockets as its last read (dump or refresh) gave
// them to all: after a refresh, last's rows it carried (TCP other than
// listeners) and then the rows it read; else last whole.
func (m *member) appendTable(all []sampler.Socket) []sampler.Socket {
	if !m.refreshedSince {
		return append(all, m.last...)
	}
	for i := range m.last {
		if !m.refreshes(&m.last[i]) {
			all = append(all, m.last[i])
		}
	}
	return append(all, m.freshRows...)
}

// recycle hands m's last read back to its readers, to fill at their next
// sample (a walk's rows are m's own: they become m.next, for the next
// walk to fill): m holds no table until a dump succeeds.
func (m *member) recycle() {
	switch {
	case m.last == nil:
	case m.out:
		if m.inWalk && !m.lastWalked {
			m.src.Forget() // read by walks from now on: its reader keeps no table
		}
	case m.lastWalked:
		m.next = m.last[:0]
	case m.inWalk:
		m.src.Forget() // read by walks from now on: its reader keeps no table
	default:
		m.src.Recycle(m.last)
	}
	if m.freshRows != nil {
		m.fresh.Recycle(m.freshRows)
	}
	m.last, m.freshRows, m.refreshedSince, m.lastWalked, m.out = nil, nil, false, false, false
}

// table is m's table as read in full this round, for the Source to hand
// out (see Source.assemble): last itself, with, after a walk, the refresh
// reader's rows moved in after the walk's (in the room the walk left), so
// that last alone is the table.
func (m *member) table() []sampler.Socket {
	if !m.refreshedSince {
		return m.last
	}
	kept := m.last[:0]
	for i := range m.last {
		if !m.refreshes(&m.last[i]) {
			kept = append(kept, m.last[i])
		}
	}
	m.last = append(kept, m.freshRows...)
	if m.freshRows != nil {
		m.fresh.Recycle(m.freshRows)
	}
	m.freshRows, m.refreshedSince = nil, false
	return m.last
}

// share makes all, which begins with m's table (see table), m's last,
// handed out (see out).
func (m *member) share(all []sampler.Socket) { m.last, m.out = all, true }

// takeBack takes a table of m's that was handed out back, for m's next
// read to fill: its walk's when m is read by walks, else its reader's.
func (m *member) takeBack(socks []sampler.Socket) {
	if m.lastWalked {
		if cap(socks) > cap(m.next) {
			m.next = socks[:0]
		}
		return
	}
	m.src.Recycle(socks)
}

// dump reads m's table in full, placed. The dump is kept as m.last,
// uncopied, until the next dump hands it back to the reader to fill (or,
// handed out whole, until it comes back through Recycle).
func (s *Source) dump(ctx context.Context, m *member, paths map[placeKey]sampler.Place) error {
	m.heardEst.Store(false) // a release heard from now on wakes it again
	m.heardFresh.Store(false)
	m.sig = append(m.sig[:0], m.sigNow...)
	m.est = append(m.est[:0], m.estNow...)
	// The last read is the reader's to fill again: it copies what it keeps
	// for a partial sample (the carriable rows) only if it keeps any.
	m.recycle()
	m.walkCounters = nil
	m.next = nil // a walk's slice to fill: its reader fills one of its own now
	snap, err := m.src.Sample(ctx)
	if err != nil {
		m.full = time.Time{}
		return err
	}
	s.place(snap.Sockets, m.ns, paths)
	m.last = snap.Sockets
	m.dumpedOnce = true
	m.count = len(m.last)
	if !s.queried || wholeQuery(s.query) {
		m.whole = m.count
	}
	m.dumped = s.now() // as the dump ended: the Source's clock
	m.full = m.dumped
	return nil
}

// refresh carries m's TCP sockets over from its last dump and reads its
// UDP sockets and TCP listeners afresh (no walk of the kernel's
// established hash, which every namespace shares). The rows read are
// kept as m.freshRows, uncopied, beside m.last.
func (s *Source) refresh(ctx context.Context, m *member, paths map[placeKey]sampler.Place) error {
	m.heardFresh.Store(false)
	m.sig = append(m.sig[:0], m.sigNow...)
	if m.freshRows != nil {
		m.fresh.Recycle(m.freshRows)
		m.freshRows = nil
	}
	m.refreshedSince = true
	if !m.freshNone {
		snap, err := m.fresh.Sample(ctx)
		if err != nil {
			m.full = time.Time{} // a full dump next: last alone is not the table
			return err
		}
		s.place(snap.Sockets, m.ns, paths)
		m.freshRows = snap.Sockets
	}
	m.count = len(m.freshRows)
	for i := range m.last {
		if !m.refreshes(&m.last[i]) {
			m.count++
		}
	}
	m.dumped = s.now()
	m.refreshed++
	return nil
}
