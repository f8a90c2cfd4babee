//go:build linux

package netns

import (
	"context"
	"time"
	"unsafe"

	"github.com/porttop/porttop/sampler"
)

// SampleKept is Sample with the rows keep returns false for left out as
// the dump reads them (sampler.RowFilter), when one namespace is read
// (porttop's own, as a rule) and the query is the whole table: that
// namespace's reader filters its dump, each row placed before keep sees
// it. The namespace then holds no table of its own (its next round reads
// it in full), and only the rows kept are attributed to processes. With
// several namespaces (a walk, or one dump each, their tables assembled)
// it takes a whole Sample, filtered false.
func (s *Source) SampleKept(ctx context.Context, keep func(*sampler.Socket) bool) (sampler.Snapshot, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.now().Sub(s.last) >= RediscoverEvery {
		if err := s.rediscover(); err != nil {
			return sampler.Snapshot{}, false, err
		}
	}
	var m *member
	for _, one := range s.members {
		m = one
	}
	if keep == nil || len(s.members) != 1 || s.queried && !wholeQuery(s.query) ||
		s.owners != nil && s.owners.OwnersDue(s.now()) {
		snap, err := s.sample(ctx)
		return snap, false, err
	}
	paths := map[placeKey]sampler.Place{}
	m.readSignature() // as a dump begins (see plan)
	m.heardEst.Store(false)
	m.heardFresh.Store(false)
	m.sig = append(m.sig[:0], m.sigNow...)
	m.est = append(m.est[:0], m.estNow...)
	m.recycle()
	m.walkCounters, m.next = nil, nil
	placed := func(row *sampler.Socket) bool {
		if row != nil {
			s.place(unsafe.Slice(row, 1), m.ns, paths)
		}
		return keep(row)
	}
	snap, _, err := m.src.SampleKept(ctx, placed)
	m.full = time.Time{} // m holds no table: its next round reads it in full
	if err != nil {
		return sampler.Snapshot{}, false, err
	}
	m.dumpedOnce = true
	m.dumped = s.now()
	if m.rng != nil {
		if r, err := m.rng.Read(); err == nil {
			m.cur = r
		}
	}
	now := s.now()
	s.hidden = s.owners.AttributePart(snap.Sockets, now) // the others keep their cached owners
	return sampler.Snapshot{Time: now, Sockets: snap.Sockets}, true, nil
}
