//go:build linux

package netns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/sockdiag"
	"github.com/porttop/porttop/sampler/tcpwalk"
)

// walkMin is the fewest namespaces due a full dump in one round for the
// round to read their TCP sockets with one walk (tcpwalk) instead: a
// namespace's dump walks the shared established hash once already.
const walkMin = 2

// walkState is the Source's use of tcpwalk: the Walker once opened (at the
// first round that wants it), or why it is not used.
type walkState struct {
	off    bool // not to be used (newSource's choice, or it failed to open)
	walker *tcpwalk.Walker
	note   string   // why TCP is read by a dump per namespace; "" when walked
	netns  []uint64 // a round's namespaces to walk
	walks  uint64   // walks begun, for tests and benchmarks
}

func (w *walkState) close() {
	if w.walker != nil {
		w.walker.Close()
		w.walker = nil
	}
}

// walkable reports whether m's TCP sockets may come from the walk this
// round: it uses the hash the walk reads and has been dumped once (that
// dump made a cookie for every socket then in it, so only newer ones
// need a lookup), and the query is the whole table.
func (s *Source) walkable(m *member) bool {
	return m.shared && m.dumpedOnce && (!s.queried || wholeQuery(s.query))
}

func wholeQuery(q sampler.Query) bool {
	return len(q.Protos) == 0 && q.States == 0 && len(q.Ports) == 0
}

// openWalker opens the Walker at its first use; false (and a note) when
// it cannot be used.
func (s *Source) openWalker() bool {
	if s.walk.off {
		return false
	}
	if s.walk.walker != nil {
		return true
	}
	s.walk.off = true // unless all goes well
	self := s.members[s.selfInode()]
	if self == nil || !self.shared {
		s.walk.note = "porttop's network namespace has a TCP hash of its own, so one walk cannot read the others"
		return false
	}
	w, err := tcpwalk.Open()
	if err != nil {
		s.walk.note = err.Error()
		return false
	}
	s.walk.walker, s.walk.off = w, false
	return true
}

// walkRound walks the TCP established hash once for the members of due
// (each due a full dump, each walkable) and hands each its rows: m.next
// its sockets, m.pending those the kernel has made no cookie for yet.
// False when the walk failed (the round dumps them instead; the reason
// goes to the notes).
func (s *Source) walkRound(due []*member) bool {
	for _, m := range s.members {
		m.inWalk = false // left by a round that ended early
	}
	if len(due) < walkMin || !s.openWalker() {
		return false
	}
	s.walk.netns = s.walk.netns[:0]
	for _, m := range due {
		m.next, m.pending, m.inWalk = m.next[:0], m.pending[:0], true
		// Sized by its last whole table: its last read may have been of
		// UDP alone (the ebpf source's ticks), and a walk's rows grown by
		// appends from there were 80 MB allocated for a 27 MB table.
		if want := m.whole + m.whole/8 + 16; cap(m.next) < want {
			if want >= noteRows {
				// A check's new table, while the kept one is alive.
				sampler.NoteMaking(want * socketBytes)
			}
			m.next = make([]sampler.Socket, 0, want)
		}
		s.walk.netns = append(s.walk.netns, m.ns.Inode)
	}
	visit := func(r *tcpwalk.Row) {
		m := s.members[r.Netns]
		if m == nil || !m.inWalk {
			return
		}
		if r.Socket.Cookie == 0 {
			m.pending = append(m.pending, sockdiag.Lookup{IPv6: r.IPv6, Local: r.Socket.Local, Remote: r.Socket.Remote})
			return
		}
		m.next = append(m.next, r.Socket)
	}
	s.walk.walks++
	err := s.walk.walker.Walk(s.walk.netns, visit)
	if errors.Is(err, tcpwalk.ErrIncomplete) {
		// Its ring buffer has grown, or a socket moved under it: once more.
		for _, m := range due {
			m.next, m.pending = m.next[:0], m.pending[:0]
		}
		s.walk.walks++
		err = s.walk.walker.Walk(s.walk.netns, visit)
	}
	if err != nil {
		s.walk.note = err.Error()
		for _, m := range due {
			m.inWalk = false
		}
		return false
	}
	s.walk.note = ""
	return true
}

// lookUp finds the sockets of m.pending by address in m's namespace, the
// kernel making their cookies, and adds those still there to m.next.
func (m *member) lookUp(at time.Time) error {
	if len(m.pending) == 0 {
		return nil
	}
	if m.lookup == nil {
		c, err := m.dial()
		if err != nil {
			return fmt.Errorf("open a socket lookup: %w", err)
		}
		m.lookup = c
	}
	if err := sockdiag.LookupTCP(m.lookup, m.pending, at); err != nil {
		m.lookup.Close()
		m.lookup = nil
		return err
	}
	for _, l := range m.pending {
		if l.Found {
			m.next = append(m.next, l.Socket)
		}
	}
	return nil
}

// walkDump reads m's table with its TCP sockets from this round's walk
// (walkRound), listeners and UDP sockets from its refresh reader (the
// listening hash and UDP's, no walk of the established hash), placed,
// as dump does. The walk's rows are kept as
// m.last (m's own slice), the refresh reader's as m.freshRows.
func (s *Source) walkDump(ctx context.Context, m *member, paths map[placeKey]sampler.Place) error {
	defer func() { m.inWalk = false }()
	m.heardEst.Store(false) // a release heard from now on wakes it again
	m.heardFresh.Store(false)
	m.sig = append(m.sig[:0], m.sigNow...)
	m.est = append(m.est[:0], m.estNow...)
	if err := m.lookUp(time.Now()); err != nil {
		m.full = time.Time{}
		return err
	}
	rows := m.next
	m.next = nil
	m.recycle() // the last walk's slice, if any, becomes m.next, to fill next time
	if !m.freshNone {
		snap, err := m.fresh.Sample(ctx)
		if err != nil {
			m.full = time.Time{}
			return err
		}
		s.place(snap.Sockets, m.ns, paths)
		m.freshRows = snap.Sockets
	}
	s.place(rows, m.ns, paths)
	if c, err := sockdiag.ParseSNMP(bytes.NewReader(m.bufs[0])); err == nil {
		m.walkCounters = &c // read by plan, as the round began
	}
	m.last, m.lastWalked, m.refreshedSince = rows, true, true
	m.count = len(rows) + len(m.freshRows) // the walk reads no listener, no UDP
	m.whole = m.count
	m.dumped = s.now()
	m.full = m.dumped
	m.walked++
	return nil
}
