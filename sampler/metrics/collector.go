package metrics

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/porttop/porttop/sampler"
)

// OtherDestination labels the ports held to destinations outside the top N.
const OtherDestination = "other"

// Collector is a prometheus.Collector over a State: Observe feeds it from
// the sampling goroutine, Collect builds const metrics from it at scrape
// time. Safe for concurrent use.
type Collector struct {
	mu    sync.Mutex
	state *State

	rangeSize, rangeLow, rangeHigh  *prometheus.Desc
	inUse, portsUsed, destPorts     *prometheus.Desc
	destinations, timeWait          *prometheus.Desc
	sockets                         *prometheus.Desc
	handouts, releases, hold        *prometheus.Desc
	kernelOpens, reportedOpens      *prometheus.Desc
	dropped, samples, sampleErrors  *prometheus.Desc
	lastSuccess, lastCost           *prometheus.Desc
	lastTime                        *prometheus.Desc
	failed                          *prometheus.Desc
	netnsUsed, netnsSize, netnsRead *prometheus.Desc
}

// NewCollector makes a collector over a new State.
func NewCollector(o Options) *Collector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("porttop_"+name, help, labels, nil)
	}
	return &Collector{
		state:         NewState(o),
		rangeSize:     d("ephemeral_range_ports", "Size of the OS ephemeral port range."),
		rangeLow:      d("ephemeral_range_low", "First port of the OS ephemeral port range."),
		rangeHigh:     d("ephemeral_range_high", "Last port of the OS ephemeral port range."),
		inUse:         d("ephemeral_sockets", "Sockets (listeners aside) on a local port in the OS ephemeral range, by state.", "proto", "state"),
		portsUsed:     d("ephemeral_ports_used", "Distinct local ports of the OS ephemeral range in use."),
		destPorts:     d("destination_ports", "Local ephemeral ports held to one destination (remote address:port); the top N destinations, the rest summed under destination=\"other\".", "proto", "destination"),
		destinations:  d("destinations", "Distinct destinations local ephemeral ports are held to."),
		timeWait:      d("time_wait_sockets", "Sockets in TIME_WAIT, on any port."),
		sockets:       d("sockets", "Sockets in the connection table.", "proto"),
		handouts:      d("port_handouts_total", "Sockets opened (local ports handed out) since porttop started.", "proto"),
		releases:      d("port_releases_total", "Sockets closed (local ports released) since porttop started.", "proto"),
		hold:          d("port_hold_seconds", "How long released sockets were held, from first seen to release.", "proto"),
		kernelOpens:   d("kernel_tcp_opens_total", "The kernel's own count of TCP connections opened since porttop started (Linux: ActiveOpens, PassiveOpens).", "direction"),
		reportedOpens: d("reported_tcp_opens_total", "TCP connections porttop reported opened, as of the kernel counters' reading: beside porttop_kernel_tcp_opens_total, what porttop missed."),
		dropped:       d("events_dropped_total", "Events porttop discarded because it fell behind."),
		samples:       d("samples_total", "Samples of the connection table taken."),
		sampleErrors:  d("sample_errors_total", "Samples of the connection table that failed."),
		lastSuccess:   d("last_sample_success", "1 when the last sample of the connection table succeeded, 0 when it failed."),
		lastCost:      d("last_sample_duration_seconds", "Wall time the last sample of the connection table took."),
		lastTime:      d("last_sample_timestamp_seconds", "When the last sample was taken, in seconds since the Unix epoch."),
		failed:        d("failed_handouts_total", "Calls that failed for want of a free local port since porttop started (connect EADDRNOTAVAIL, bind EADDRINUSE), by op and errno; only with a source that sees them (ebpf).", "op", "errno"),
		netnsUsed:     d("netns_ephemeral_ports_used", "Distinct local ports of a network namespace's own ephemeral range in use by its sockets; the namespaces other than porttop's own, fullest of their range first, at most 20.", "netns", "netns_name"),
		netnsSize:     d("netns_ephemeral_range_ports", "Size of a network namespace's own ephemeral port range (the namespaces of porttop_netns_ephemeral_ports_used).", "netns", "netns_name"),
		netnsRead:     d("netns_read", "Network namespaces other than porttop's own that porttop reads (0 when it reads its own alone)."),
	}
}

// Observe feeds one batch and returns the snapshot the collector is done
// with, to recycle (see State.Observe).
func (c *Collector) Observe(b sampler.Batch) (done sampler.Snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.Observe(b)
}

// Describe sends every metric's description.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.rangeSize, c.rangeLow, c.rangeHigh, c.inUse, c.portsUsed, c.destPorts,
		c.destinations, c.timeWait, c.sockets, c.handouts, c.releases, c.hold,
		c.kernelOpens, c.reportedOpens, c.dropped, c.samples, c.sampleErrors,
		c.lastSuccess, c.lastCost, c.lastTime, c.failed, c.netnsUsed, c.netnsSize, c.netnsRead,
	} {
		ch <- d
	}
}

// Collect builds the metrics from the state as it is now. Before the
// first batch only the range is known: nothing else is sent, rather than
// zeros that would read as an idle machine.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.state
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	if r := s.ephemeral; r.Known() {
		gauge(c.rangeSize, float64(r.Size()))
		gauge(c.rangeLow, float64(r.Lo))
		gauge(c.rangeHigh, float64(r.Hi))
	}
	if !s.observed {
		return
	}
	s.refresh()
	for pi, p := range protos {
		proto := p.String()
		for st, n := range s.inUse[pi] {
			if n > 0 {
				gauge(c.inUse, float64(n), proto, stateLabel(sampler.State(st)))
			}
		}
		gauge(c.sockets, float64(s.sockets[pi]), proto)
		gauge(c.destPorts, float64(s.otherPorts[pi]), proto, OtherDestination)
		counter(c.handouts, float64(s.handouts[pi]), proto)
		counter(c.releases, float64(s.releases[pi]), proto)
		c.histogram(ch, &s.hold[pi], proto)
	}
	for _, d := range s.Top() {
		gauge(c.destPorts, float64(d.Ports), d.Proto.String(), d.Remote.String())
	}
	gauge(c.portsUsed, float64(s.portsUsed))
	gauge(c.destinations, float64(len(s.top)))
	gauge(c.timeWait, float64(s.timeWait))
	// The kernel counts the whole host: beside a filtered count of
	// reported opens it would read as opens missed.
	if a, p, ok := s.KernelOpens(); ok && s.match == nil {
		counter(c.kernelOpens, float64(a), "active")
		counter(c.kernelOpens, float64(p), "passive")
		counter(c.reportedOpens, float64(s.reportedTCP))
	}
	// Like the kernel's, failures are the whole host's: not sent beside
	// filtered figures.
	if s.match == nil {
		for k, n := range s.Failures() {
			counter(c.failed, float64(n), k.op.String(), k.errno)
		}
	}
	all := s.Namespaces()
	gauge(c.netnsRead, float64(len(all)))
	for _, n := range all[:min(len(all), MaxNetns)] {
		ino, name := strconv.FormatUint(n.Inode, 10), labelText(n.Name)
		gauge(c.netnsUsed, float64(n.PortsUsed), ino, name)
		gauge(c.netnsSize, float64(n.Range.Size()), ino, name)
	}
	counter(c.dropped, float64(s.dropped))
	counter(c.samples, float64(s.samples))
	counter(c.sampleErrors, float64(s.sampleErrors))
	success := 1.0
	if s.lastErr {
		success = 0
	}
	gauge(c.lastSuccess, success)
	gauge(c.lastCost, s.lastCost.Seconds())
	if !s.lastTime.IsZero() {
		gauge(c.lastTime, float64(s.lastTime.UnixNano())/1e9)
	}
}

func (c *Collector) histogram(ch chan<- prometheus.Metric, h *histogram, proto string) {
	buckets := make(map[float64]uint64, len(HoldBuckets))
	var cum uint64
	for i, le := range HoldBuckets {
		if h.counts != nil {
			cum += h.counts[i]
		}
		buckets[le] = cum
	}
	ch <- prometheus.MustNewConstHistogram(c.hold, h.count, h.sum, buckets, proto)
}

// stateLabel is the state as ss spells it; "none" for a socket without
// one (UDP).
func stateLabel(st sampler.State) string {
	if st == sampler.StateNone {
		return "none"
	}
	if n := st.String(); n != "" {
		return n
	}
	return strconv.Itoa(int(st))
}

// SeriesBound is the most series Collect sends for topN destinations:
// fixed series (range 3, ports used, destinations, TIME_WAIT, kernel 2,
// reported, dropped, samples, errors, last success, cost, time,
// namespaces read: 16), failed hand-outs (2 ops x 3 errno classes), per
// protocol (sockets, other, handouts, releases, histogram buckets + +Inf +
// sum + count, ephemeral sockets by state: up to 13 states), 2 per
// namespace for at most MaxNetns namespaces, and topN.
func SeriesBound(topN int) int {
	if topN <= 0 {
		topN = DefaultTopN
	}
	perProto := 4 + len(HoldBuckets) + 3 + stateCountBound
	return 16 + failureKeys + len(protos)*perProto + 2*MaxNetns + min(topN, MaxTopN)
}

// stateCountBound is how many states a socket can report (sampler.State's
// named values, none included).
const stateCountBound = 13
