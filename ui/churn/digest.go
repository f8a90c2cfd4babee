package churn

import (
	"cmp"
	"maps"
	"slices"
	"sync"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/dests"
	"github.com/porttop/porttop/sampler/ports"
)

// Digest is what the panel takes of a snapshot apart from its events: the
// gauges, the destinations and who holds their ports, the warnings. It
// costs passes over the whole snapshot, so the live view makes it where it
// waited for the batch, off the UI goroutine (Model.Digest), and the panel
// takes it in with ObserveDigest. It is never written once made.
type Digest struct {
	eph       ports.Range
	threshold float64
	// others are the other namespaces' ranges it judged their sockets by.
	others map[uint64]ports.Range
	names  map[uint64]string

	timeWait, ephemeral uint32
	dests               map[Dest]int
	blocked             map[dests.Space]int
	top                 []DestCount
	owners              [][]ownerShare
	warnings            []string
}

// fits reports whether d was made for m's range and threshold.
func (d *Digest) fits(m Model) bool {
	return d.eph == m.ephemeral && d.threshold == m.threshold && maps.Equal(d.others, m.others) && maps.Equal(d.names, m.names)
}

// Digester is memory digests reuse from snapshot to snapshot. Its
// digests may be made from any goroutine, one at a time.
type Digester struct {
	mu sync.Mutex
	// destPorts: the (destination, local port) pairs of the snapshot, as
	// large as the most one snapshot has held.
	destPorts map[destPort]struct{}
	// seen counts distinct ephemeral ports.
	seen [65536 / 64]uint64
}

// Digest digests a snapshot's sockets for the panel, listeners already
// Reset from them. It reads only m's range and threshold, never its
// history (its namespaces' ranges are a map SetNetnsRanges makes anew and
// never writes again): it may run on any goroutine while the panel is in use.
func (m Model) Digest(socks []sampler.Socket, listeners *sampler.Listeners, dg *Digester) *Digest {
	dg.mu.Lock()
	defer dg.mu.Unlock()
	if dg.destPorts == nil {
		dg.destPorts = make(map[destPort]struct{})
	}
	d := &Digest{eph: m.ephemeral, threshold: m.threshold, others: m.others, names: m.names, dests: make(map[Dest]int)}
	d.timeWait, d.ephemeral = m.gauges(socks, &dg.seen)
	clear(dg.destPorts)
	m.countDests(socks, listeners, d.dests, dg.destPorts)
	d.blocked = dests.Blocked(socks, m.ranges())
	d.top = TopN(d.dests, maxTop)
	// A panel of its own, with this digest's figures, for the sentences.
	t := m
	t.s = &state{blocked: d.blocked}
	d.owners = countOwners(socks, listeners, t, d.top, dg.destPorts)
	var over []DestCount
	for dst, n := range d.dests {
		dc := DestCount{dst, n}
		if t.rangeFor(dst.Netns).Known() && (t.destShare(dc) > t.threshold || t.full(dc)) {
			over = append(over, dc)
		}
	}
	// Fullest first: a namespace's small range runs out with fewer ports
	// than porttop's large one.
	slices.SortFunc(over, func(a, b DestCount) int {
		if c := cmp.Compare(t.destShare(b), t.destShare(a)); c != 0 {
			return c
		}
		return byPortsDesc(a, b)
	})
	for _, dc := range over[:min(len(over), maxWarnings)] {
		d.warnings = append(d.warnings, t.warning(dc))
	}
	return d
}
