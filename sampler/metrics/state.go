// Package metrics turns sampler batches into Prometheus metrics for
// `porttop serve`. State is the synchronous part (fed one sampler.Batch at
// a time, tested as scripts of batches); Collector wraps it for a
// prometheus.Registry and builds every metric at scrape time. README.md
// beside this file lists the metrics, their labels and the series bound.
package metrics

import (
	"cmp"
	"net/netip"
	"slices"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// DefaultTopN is how many destinations get a series of their own unless
// told otherwise; the rest are summed under destination="other".
const DefaultTopN = 20

// MaxTopN bounds --top: past it the exporter would be the cardinality
// problem it is meant to find.
const MaxTopN = 1000

// HoldBuckets are the hold-time histogram's upper bounds, in seconds: from
// a request's short connection to a pool's long-lived one.
var HoldBuckets = []float64{0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600}

// Options configure a State.
type Options struct {
	// TopN destinations get a series each (0: DefaultTopN).
	TopN int
	// Ephemeral is the OS ephemeral range at the start; batches that carry
	// a newer one (Batch.Ephemeral) replace it.
	Ephemeral ports.Range
	// Match keeps only the sockets it accepts (a --filter); nil keeps all.
	Match func(*sampler.Socket) bool
	// SeesFailures says the source reports failed hand-outs (the ebpf
	// source): their counters are sent from the start, at 0, rather than
	// only once one failed (where absent means "cannot see").
	SeesFailures bool
}

// protos are the protocols with series, in label order.
var protos = [...]sampler.Proto{sampler.TCP, sampler.UDP}

func protoIndex(p sampler.Proto) int {
	if p == sampler.UDP {
		return 1
	}
	return 0
}

// Destination is one remote end that local ephemeral ports are held to.
type Destination struct {
	Proto  sampler.Proto
	Remote netip.AddrPort
	Ports  int // sockets with an ephemeral local port to Remote
}

// histogram counts hold times into HoldBuckets (cumulative at export).
type histogram struct {
	counts []uint64 // per bucket, not cumulative; last is +Inf
	sum    float64
	count  uint64
}

func (h *histogram) observe(v float64) {
	if h.counts == nil {
		h.counts = make([]uint64, len(HoldBuckets)+1)
	}
	i, _ := slices.BinarySearch(HoldBuckets, v) // first bound >= v
	h.counts[i]++
	h.sum += v
	h.count++
}

type destKey struct {
	proto  sampler.Proto
	remote netip.AddrPort
}

// State holds what the metrics say: counters fed by events, gauges from
// the latest snapshot. Not safe for concurrent use (Collector locks it).
type State struct {
	topN         int
	match        func(*sampler.Socket) bool
	seesFailures bool

	ephemeral ports.Range

	// Counters, since the State was made.
	handouts, releases [len(protos)]uint64
	hold               [len(protos)]histogram
	sampleErrors       uint64
	samples            uint64
	dropped            uint64
	kernelStart        *sampler.KernelCounters
	kernel             sampler.KernelCounters
	reportedTCP        uint64
	failures           map[failureKey]uint64 // failed hand-outs (failures.go)

	// From the latest batch.
	observed   bool
	lastErr    bool
	lastCost   time.Duration
	lastTime   time.Time
	inUse      [len(protos)][256]int // ephemeral local port sockets by state
	portsUsed  int                   // distinct ephemeral local ports in use
	timeWait   int
	sockets    [len(protos)]int
	dests      map[destKey]int
	top        []Destination // sorted, all destinations (top N first)
	otherPorts [len(protos)]int
	used       [1024]uint64 // bitmap of ephemeral local ports in use
	// listeners tell an accepted connection (its listener's port, none
	// handed out) from one that holds a port of its own: latest's.
	listeners sampler.Listeners
	latest    sampler.Snapshot // the table the gauges count, held until replaced
	stale     bool             // latest (or the range) changed since the count

	// The other network namespaces the latest batch listed (netns.go):
	// their sockets are judged against their own range.
	others     []sampler.NetnsRange
	otherIndex map[uint64]int // inode -> index in others
	netns      []Netns        // counted from latest, fullest first
	netnsKeys  []uint64       // scratch for countNetns
}

// NewState makes an empty State.
func NewState(o Options) *State {
	n := o.TopN
	if n <= 0 {
		n = DefaultTopN
	}
	return &State{topN: min(n, MaxTopN), match: o.Match, seesFailures: o.SeesFailures, ephemeral: o.Ephemeral, dests: map[destKey]int{}}
}

// Observe takes one batch: its events feed the counters at once, its
// snapshot becomes the table the gauges are counted from, when they are
// next asked for (a scrape), not now: a sample costs only its events,
// whatever the table holds. The State keeps b.Snapshot.Sockets until the
// next table replaces it and returns the snapshot it is done with: the
// previous table, or b's own when b brought none (a failed sample), for
// the caller to hand back to a Recycler feed.
func (s *State) Observe(b sampler.Batch) (done sampler.Snapshot) {
	s.observed = true
	s.samples += uint64(max(b.Samples, 1))
	s.lastCost, s.lastTime = b.Cost, b.Snapshot.Time
	s.lastErr = b.Err != nil
	if b.Err != nil {
		s.sampleErrors++
	}
	s.dropped = max(s.dropped, b.Dropped)
	if b.Ephemeral.Range.Known() && b.Ephemeral.Range != s.ephemeral {
		s.ephemeral = b.Ephemeral.Range
		s.stale = true
	}
	if b.Kernel != nil {
		if s.kernelStart == nil {
			k := *b.Kernel
			s.kernelStart = &k
		}
		s.kernel = *b.Kernel
		// As it stood when the counters were read (see Batch).
		s.reportedTCP = max(s.reportedTCP, b.ReportedTCPAtKernel)
	}
	done = b.Snapshot
	if b.Err == nil || len(b.Snapshot.Sockets) > 0 {
		done, s.latest = s.latest, b.Snapshot
		s.listeners.Reset(s.latest.Sockets)
		s.stale = true
	}
	if b.Err == nil {
		s.setOthers(b.NetnsRanges)
	}
	s.observeFailures(b.Failures)
	for i := range b.Events {
		s.event(&b.Events[i])
	}
	return done
}

func (s *State) event(e *sampler.Event) {
	if s.match != nil && !s.match(&e.Socket) || !s.listeners.HandsOutPort(e) {
		return // filtered out, or the server side of an accepted connection
	}
	i := protoIndex(e.Socket.Proto)
	switch e.Kind {
	case sampler.Opened:
		if !e.Existing {
			s.handouts[i]++
		}
	case sampler.Closed:
		s.releases[i]++
		s.hold[i].observe(e.Held.Seconds())
	}
}

// refresh recounts the gauges from the latest table when it changed.
func (s *State) refresh() {
	if s.stale {
		s.table(s.latest.Sockets)
		s.stale = false
	}
}

// table recounts the gauges from a snapshot; s.listeners are its own.
func (s *State) table(sockets []sampler.Socket) {
	s.inUse = [len(protos)][256]int{}
	s.sockets = [len(protos)]int{}
	s.timeWait, s.portsUsed = 0, 0
	clear(s.used[:])
	clear(s.dests)
	for i := range sockets {
		sk := &sockets[i]
		if s.match != nil && !s.match(sk) {
			continue
		}
		pi := protoIndex(sk.Proto)
		s.sockets[pi]++
		if sk.State == sampler.StateTimeWait {
			s.timeWait++
		}
		// Each namespace's sockets are judged against its own range;
		// another namespace's take none of porttop's own (netns.go counts
		// them).
		port := sk.Local.Port()
		if eph := s.rangeOf(sk.Netns); !eph.Known() || !eph.Contains(port) || sk.State == sampler.StateListen {
			continue
		}
		if sk.Proto == sampler.TCP && s.listeners.Accepts(sk.Local) {
			continue // accepted by a listener on an ephemeral port: no port of its own
		}
		if !s.isOther(sk.Netns) {
			s.inUse[pi][sk.State]++
			if w, bit := port>>6, uint64(1)<<(port&63); s.used[w]&bit == 0 {
				s.used[w] |= bit
				s.portsUsed++
			}
		}
		r := sampler.Unmap(sk.Remote)
		if r.Port() == 0 {
			continue // not connected: no destination
		}
		s.dests[destKey{sk.Proto, r}]++
	}
	s.rank()
	s.countNetns(sockets)
}

// rank orders the destinations, most ports first (then by address, so the
// top N is stable between scrapes), and sums the rest per protocol.
func (s *State) rank() {
	s.top = s.top[:0]
	for k, n := range s.dests {
		s.top = append(s.top, Destination{Proto: k.proto, Remote: k.remote, Ports: n})
	}
	slices.SortFunc(s.top, func(a, b Destination) int {
		if c := cmp.Compare(b.Ports, a.Ports); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Proto, b.Proto); c != 0 {
			return c
		}
		return a.Remote.Compare(b.Remote)
	})
	s.otherPorts = [len(protos)]int{}
	for _, d := range s.top[min(s.topN, len(s.top)):] {
		s.otherPorts[protoIndex(d.Proto)] += d.Ports
	}
}

// Top is the top N destinations, most ports first.
func (s *State) Top() []Destination { s.refresh(); return s.top[:min(s.topN, len(s.top))] }

// Other is the ports held to destinations outside the top N, per protocol.
func (s *State) Other(p sampler.Proto) int { s.refresh(); return s.otherPorts[protoIndex(p)] }

// Destinations is how many destinations the latest snapshot held.
func (s *State) Destinations() int { s.refresh(); return len(s.top) }

// Handouts and Releases count open (not existing) and close events.
func (s *State) Handouts(p sampler.Proto) uint64 { return s.handouts[protoIndex(p)] }
func (s *State) Releases(p sampler.Proto) uint64 { return s.releases[protoIndex(p)] }

// InUse is the sockets on an ephemeral local port in state st.
func (s *State) InUse(p sampler.Proto, st sampler.State) int {
	s.refresh()
	return s.inUse[protoIndex(p)][st]
}

// PortsUsed is the distinct ephemeral local ports in use.
func (s *State) PortsUsed() int { s.refresh(); return s.portsUsed }

// TimeWait is the TIME_WAIT sockets, on any port.
func (s *State) TimeWait() int { s.refresh(); return s.timeWait }

// KernelOpens is the kernel's TCP opens since the first batch that carried
// its counters; ok is false before then.
func (s *State) KernelOpens() (active, passive uint64, ok bool) {
	if s.kernelStart == nil {
		return 0, 0, false
	}
	return s.kernel.ActiveOpens - s.kernelStart.ActiveOpens, s.kernel.PassiveOpens - s.kernelStart.PassiveOpens, true
}

// ReportedTCP is the TCP connections porttop reported opened, as of the
// kernel counters' instant.
func (s *State) ReportedTCP() uint64 { return s.reportedTCP }

// SampleErrors counts batches whose sample failed.
func (s *State) SampleErrors() uint64 { return s.sampleErrors }

// Ephemeral is the OS ephemeral range in force.
func (s *State) Ephemeral() ports.Range { return s.ephemeral }
