package metrics

import (
	"fmt"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// synthetic is a table of n TCP sockets on ephemeral local ports spread
// over dests destinations, a tenth in TIME_WAIT.
func synthetic(n, dests int) []sampler.Socket {
	out := make([]sampler.Socket, n)
	for i := range out {
		st := sampler.StateEstablished
		if i%10 == 0 {
			st = sampler.StateTimeWait
		}
		remote := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, byte(i % dests >> 8), byte(i % dests)}), 5432)
		out[i] = sampler.Socket{
			ID: sampler.ID{Proto: sampler.TCP,
				Local:  netip.AddrPortFrom(netip.MustParseAddr("10.0.0.1"), uint16(32768+i%28000)),
				Remote: remote},
			State: st,
			Owner: sampler.Owner{UID: -1},
		}
	}
	return out
}

func collected(t testing.TB, c prometheus.Collector) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			fmt.Fprintf(&b, "%s", mf.GetName())
			for _, l := range m.GetLabel() {
				fmt.Fprintf(&b, " %s=%s", l.GetName(), l.GetValue())
			}
			switch {
			case m.GetGauge() != nil:
				fmt.Fprintf(&b, " %g\n", m.GetGauge().GetValue())
			case m.GetCounter() != nil:
				fmt.Fprintf(&b, " %g\n", m.GetCounter().GetValue())
			case m.GetHistogram() != nil:
				fmt.Fprintf(&b, " count=%d\n", m.GetHistogram().GetSampleCount())
			}
		}
	}
	return b.String()
}

func TestCollectorLintsClean(t *testing.T) {
	c := NewCollector(Options{Ephemeral: eph})
	b := batch(0, synthetic(100, 7), sampler.Event{Kind: sampler.Closed, Socket: conn(40000, "10.0.0.9:5432", sampler.StateEstablished), Held: time.Second})
	b.Kernel = &sampler.KernelCounters{ActiveOpens: 1, PassiveOpens: 1}
	c.Observe(b)
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

func TestCollectorExportsTheScript(t *testing.T) {
	c := NewCollector(Options{Ephemeral: eph, TopN: 1})
	if got := collected(t, c); got != "porttop_ephemeral_range_high 60999\nporttop_ephemeral_range_low 32768\nporttop_ephemeral_range_ports 28232\n" {
		t.Errorf("before the first batch, want the range alone, got:\n%s", got)
	}
	c.Observe(batch(0, []sampler.Socket{
		conn(40000, "10.0.0.9:5432", sampler.StateEstablished),
		conn(40001, "10.0.0.9:5432", sampler.StateEstablished),
		conn(40002, "10.0.0.8:443", sampler.StateTimeWait),
	}))
	got := collected(t, c)
	for _, want := range []string{
		"porttop_destination_ports destination=10.0.0.9:5432 proto=tcp 2\n",
		"porttop_destination_ports destination=other proto=tcp 1\n",
		"porttop_destination_ports destination=other proto=udp 0\n",
		"porttop_ephemeral_sockets proto=tcp state=ESTABLISHED 2\n",
		"porttop_ephemeral_sockets proto=tcp state=TIME_WAIT 1\n",
		"porttop_ephemeral_ports_used 3\n",
		"porttop_destinations 2\n",
		"porttop_time_wait_sockets 1\n",
		"porttop_last_sample_success 1\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "10.0.0.8:443") {
		t.Errorf("the second destination has a series of its own with --top 1:\n%s", got)
	}
}

// The series stay under SeriesBound whatever the table holds.
func TestSeriesBoundWithFiveThousandDestinations(t *testing.T) {
	for _, topN := range []int{1, DefaultTopN, 200} {
		c := NewCollector(Options{Ephemeral: eph, TopN: topN, SeesFailures: true})
		socks := synthetic(20000, 5000)
		// Every state on both protocols, to reach the bound's worst case.
		for st := sampler.State(0); st < stateCountBound; st++ {
			for _, p := range protos {
				sk := conn(50000+uint16(st), "10.9.9.9:53", st)
				sk.Proto = p
				socks = append(socks, sk)
			}
		}
		// Failures of every op and errno class, and 100 other namespaces
		// each holding ports of its own range.
		b := batch(0, socks)
		for _, op := range []sampler.FailedOp{sampler.FailedConnect, sampler.FailedBind} {
			for _, errno := range []int{sampler.ErrnoAddrNotAvail, sampler.ErrnoAddrInUse, 111, 13} {
				b.Failures = append(b.Failures, sampler.FailureCount{Op: op, Errno: errno, Count: 1})
			}
		}
		for i := range 100 {
			ino := uint64(7000 + i)
			b.NetnsRanges = append(b.NetnsRanges, sampler.NetnsRange{Netns: ino, Range: ports.Range{Lo: 1000, Hi: 1999}})
			sk := conn(uint16(1000+i), "10.8.8.8:80", sampler.StateEstablished)
			sk.Netns = ino
			b.Snapshot.Sockets = append(b.Snapshot.Sockets, sk)
		}
		c.Observe(b)
		n := testutil.CollectAndCount(c)
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(c)
		series := 0
		mfs, _ := reg.Gather()
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				if h := m.GetHistogram(); h != nil {
					series += len(h.GetBucket()) + 3 // buckets, +Inf, sum, count
				} else {
					series++
				}
			}
		}
		if series > SeriesBound(topN) {
			t.Errorf("top %d: %d series (%d metrics) with 5,000 destinations, over the bound %d", topN, series, n, SeriesBound(topN))
		}
		if d := c.state.Destinations(); d < 5000 {
			t.Errorf("destinations = %d, want the 5,000 of the table and more", d)
		}
		t.Logf("top %d: %d series, bound %d", topN, series, SeriesBound(topN))
	}
}

// BenchmarkScrape20k is one sample's worth of work at 20k sockets, then a
// scrape: Observe (the table recount) and Gather (building and encoding
// every metric).
func BenchmarkScrape20k(b *testing.B) {
	c := NewCollector(Options{Ephemeral: eph})
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	bt := batch(0, synthetic(20000, 5000))
	b.ReportAllocs()
	for b.Loop() {
		c.Observe(bt)
		if _, err := reg.Gather(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGather20k is the scrape alone, the table already counted.
func BenchmarkGather20k(b *testing.B) {
	c := NewCollector(Options{Ephemeral: eph})
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	c.Observe(batch(0, synthetic(20000, 5000)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := reg.Gather(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScrapeHTTP20k is a whole scrape as Prometheus makes it: the
// handler gathers and encodes the text format (the table already
// counted).
func BenchmarkScrapeHTTP20k(b *testing.B) {
	c := NewCollector(Options{Ephemeral: eph})
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	c.Observe(batch(0, synthetic(20000, 5000)))
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	req := httptest.NewRequest("GET", "/metrics", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
