package churn

import (
	"cmp"
	"iter"
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
	// dests is the most destinations ids was made for: a map never
	// shrinks, so after the table shrank a lot it is made again, small.
	dests int
	// seen counts distinct ephemeral ports.
	seen [65536 / 64]uint64
	// kept is each (destination, local port) pair counted, with the
	// first socket of the snapshot that holds it, packed in a word
	// (keptPort), so that finding who holds the top destinations' ports is
	// a pass over these, not another pass over the snapshot hashing every
	// socket's destination again. The pairs are deduped by sorting the
	// words, not in a set: a map of the ~100k pairs of a busy table held
	// 6-11 MB between batches, these 8 bytes a socket.
	kept []keptPort
	ids  map[Dest]int32
	list []Dest // by number
	// ports is how many distinct local ports each destination (by
	// number) holds: counted in a slice, not a map of the snapshot's
	// destinations made anew for each digest (50 MB allocated over a
	// BIG=1 run, where accepted connections' clients are tens of
	// thousands of destinations).
	ports []int
}

// all yields each destination of the last count and its ports.
func (dg *Digester) all() iter.Seq2[Dest, int] {
	return func(yield func(Dest, int) bool) {
		for id, n := range dg.ports {
			if !yield(dg.list[id], n) {
				return
			}
		}
	}
}

// keptPort is one (destination, local port) pair of a snapshot and a
// socket that holds it: the destination's number in ids (24 bits), the
// port, the socket's place in the snapshot (24 bits), in that order, so
// that sorted words put a pair's sockets together, the first one first.
type keptPort uint64

// maxCounted is how many of a snapshot's sockets the digest counts: the
// socket's place, and a destination's number, take 24 bits of a keptPort.
// A table of 16M sockets is far beyond any the view can hold.
const maxCounted = 1 << 24

func keptOf(dest int32, port uint16, sock int) keptPort {
	return keptPort(uint64(dest)<<40 | uint64(port)<<24 | uint64(sock))
}

func (k keptPort) pair() uint64 { return uint64(k) >> 24 }
func (k keptPort) dest() int32  { return int32(k >> 40) }
func (k keptPort) sock() int32  { return int32(k & (maxCounted - 1)) }

// Digest digests a snapshot's sockets for the panel, listeners already
// Reset from them. It reads only m's range and threshold, never its
// history (its namespaces' ranges are a map SetNetnsRanges makes anew and
// never writes again): it may run on any goroutine while the panel is in use.
func (m Model) Digest(socks []sampler.Socket, listeners *sampler.Listeners, dg *Digester) *Digest {
	dg.mu.Lock()
	defer dg.mu.Unlock()
	d := &Digest{eph: m.ephemeral, threshold: m.threshold, others: m.others, names: m.names}
	d.timeWait, d.ephemeral = m.gauges(socks, &dg.seen)
	dg.count(socks, listeners, m.ranges())
	d.blocked = dests.Blocked(socks, m.ranges())
	d.top = topOf(dg.all(), maxTop)
	// A panel of its own, with this digest's figures, for the sentences.
	t := m
	t.s = &state{blocked: d.blocked}
	d.owners = dg.owners(socks, d.top)
	var over []DestCount
	for dst, n := range dg.all() {
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

// count is dests.Count (dg.ports[dest] is the distinct local ports held
// towards dest), keeping each pair counted in dg.kept with the first
// socket that holds it.
func (dg *Digester) count(socks []sampler.Socket, listeners *sampler.Listeners, r dests.Ranges) {
	if dg.ids == nil || 4*len(dg.list)+1024 < dg.dests {
		dg.ids, dg.dests = make(map[Dest]int32), 0
	}
	clear(dg.ids)
	n := min(len(socks), maxCounted)
	if cap(dg.kept) < n { // room for a table that grows by a few sockets a batch
		dg.kept = make([]keptPort, 0, n+n/8)
	}
	dg.list, dg.kept = dg.list[:0], dg.kept[:0]
	for i := range socks[:n] {
		d, ok := dests.In(&socks[i], listeners, r)
		if !ok {
			continue
		}
		id, ok := dg.ids[d]
		if !ok {
			id = int32(len(dg.list))
			dg.ids[d] = id
			dg.list = append(dg.list, d)
		}
		dg.kept = append(dg.kept, keptOf(id, socks[i].Local.Port(), i))
	}
	// By pair, then socket: the first of each pair's run is the first
	// socket that held it.
	slices.Sort(dg.kept)
	dg.kept = slices.CompactFunc(dg.kept, func(a, b keptPort) bool { return a.pair() == b.pair() })
	dg.ports = append(dg.ports[:0], make([]int, len(dg.list))...)
	for _, k := range dg.kept {
		dg.ports[k.dest()]++
	}
	dg.dests = max(dg.dests, len(dg.list))
	if cap(dg.kept) > 4*n+4096 { // the table shrank: so does the scratch
		dg.kept = nil
	}
}

// owners finds, for each top destination, who holds its ports: the
// process name of each distinct local port held towards it (the first
// socket seen on a port names it), most ports first. A TIME_WAIT socket
// counts for the process that last held it when porttop knows it, else as
// TIME_WAIT (no process holds it). Names, not pids: a client run
// in a loop is one name and many pids.
// It is a pass over the pairs count kept.
func (dg *Digester) owners(socks []sampler.Socket, top []DestCount) [][]ownerShare {
	if len(top) == 0 {
		return nil
	}
	at := make([]int32, len(dg.list))
	for i := range at {
		at[i] = -1
	}
	for j, dc := range top {
		if id, ok := dg.ids[dc.Dest]; ok {
			at[id] = int32(j)
		}
	}
	counts := make([]map[string]int, len(top))
	for _, k := range dg.kept {
		j := at[k.dest()]
		if j < 0 {
			continue
		}
		if counts[j] == nil {
			counts[j] = map[string]int{}
		}
		counts[j][ownerName(&socks[k.sock()])]++
	}
	return sharesOf(counts)
}
