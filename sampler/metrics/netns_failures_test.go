package metrics

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// in is s in namespace ino.
func in(ino uint64, s sampler.Socket) sampler.Socket {
	s.Netns = ino
	return s
}

// Failed hand-outs are counted by op and errno class only, summed over
// the batches (and over the processes and destinations that failed);
// with a source that sees them, the two of a port shortage are sent from
// the start at 0; with a --filter they are not sent (the whole host's).
func TestCollectorCountsFailedHandOuts(t *testing.T) {
	dst := netip.MustParseAddrPort("10.0.0.9:5432")
	fail := func(op sampler.FailedOp, errno int, proc string, n uint64) sampler.FailureCount {
		return sampler.FailureCount{Op: op, Errno: errno, Addr: dst, Process: proc, Count: n}
	}
	c := NewCollector(Options{Ephemeral: eph, SeesFailures: true})
	c.Observe(batch(0, nil))
	got := collected(t, c)
	for _, want := range []string{
		"porttop_failed_handouts_total errno=EADDRNOTAVAIL op=connect 0\n",
		"porttop_failed_handouts_total errno=EADDRINUSE op=bind 0\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("a source that sees failures: missing %q at the start in:\n%s", want, got)
		}
	}
	b := batch(1, nil)
	b.Failures = []sampler.FailureCount{
		fail(sampler.FailedConnect, sampler.ErrnoAddrNotAvail, "curl", 5),
		fail(sampler.FailedConnect, sampler.ErrnoAddrNotAvail, "\x1b]2;x\x07", 2),
		fail(sampler.FailedBind, sampler.ErrnoAddrInUse, "nc", 1),
		fail(sampler.FailedConnect, 111, "odd", 1),
	}
	c.Observe(b)
	b = batch(2, nil)
	b.Failures = []sampler.FailureCount{fail(sampler.FailedConnect, sampler.ErrnoAddrNotAvail, "curl", 3)}
	c.Observe(b)
	got = collected(t, c)
	for _, want := range []string{
		"porttop_failed_handouts_total errno=EADDRNOTAVAIL op=connect 10\n",
		"porttop_failed_handouts_total errno=EADDRINUSE op=bind 1\n",
		"porttop_failed_handouts_total errno=other op=connect 1\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "curl") || strings.Contains(got, "PWNED") || strings.Contains(got, "5432") {
		t.Errorf("a failure's process or destination became a label:\n%s", got)
	}

	// A source that cannot see them: nothing (absent, not a reassuring 0).
	plain := NewCollector(Options{Ephemeral: eph})
	plain.Observe(batch(0, nil))
	if got := collected(t, plain); strings.Contains(got, "failed_handouts") {
		t.Errorf("a source blind to failures sent their counters:\n%s", got)
	}
	filtered := NewCollector(Options{Ephemeral: eph, SeesFailures: true, Match: func(*sampler.Socket) bool { return true }})
	b = batch(0, nil)
	b.Failures = []sampler.FailureCount{fail(sampler.FailedConnect, sampler.ErrnoAddrNotAvail, "curl", 5)}
	filtered.Observe(b)
	if got := collected(t, filtered); strings.Contains(got, "failed_handouts") {
		t.Errorf("with a filter, the host's failures were sent:\n%s", got)
	}
}

// Each other namespace is judged against its own range: its ports in use
// and its range's size get series of their own (labelled by inode and
// name, the name made valid UTF-8), fullest first, at most MaxNetns; its
// sockets take none of porttop's own range, and its destinations count by
// its own range.
func TestCollectorPerNamespaceSeries(t *testing.T) {
	const blue, red = 4026532238, 4026532300
	blueRange, redRange := ports.Range{Lo: 1000, Hi: 1999}, ports.Range{Lo: 40000, Hi: 40099}
	socks := []sampler.Socket{
		conn(40000, "10.0.0.9:5432", sampler.StateEstablished), // porttop's own namespace
		in(blue, conn(1000, "10.1.0.9:80", sampler.StateEstablished)),
		in(blue, conn(1001, "10.1.0.9:80", sampler.StateTimeWait)),
		in(blue, conn(40001, "10.1.0.9:80", sampler.StateEstablished)), // outside blue's range
		in(red, conn(40002, "10.2.0.9:443", sampler.StateEstablished)),
		in(red, conn(40003, "10.2.0.9:443", sampler.StateEstablished)),
		in(red, conn(40004, "10.2.0.9:443", sampler.StateEstablished)),
	}
	b := batch(0, socks)
	b.NetnsRanges = []sampler.NetnsRange{
		{Netns: blue, NetnsName: "blue", Range: blueRange},
		{Netns: red, NetnsName: "r\xffed", Range: redRange},
	}
	c := NewCollector(Options{Ephemeral: eph})
	c.Observe(b)
	got := collected(t, c)
	for _, want := range []string{
		"porttop_netns_read 2\n",
		"porttop_netns_ephemeral_ports_used netns=4026532238 netns_name=blue 2\n",
		"porttop_netns_ephemeral_range_ports netns=4026532238 netns_name=blue 1000\n",
		"porttop_netns_ephemeral_ports_used netns=4026532300 netns_name=r\uFFFDed 3\n",
		"porttop_netns_ephemeral_range_ports netns=4026532300 netns_name=r\uFFFDed 100\n",
		"porttop_ephemeral_ports_used 1\n", // porttop's own: the namespaces' ports are theirs
		"porttop_destination_ports destination=10.1.0.9:80 proto=tcp 2\n",
		"porttop_destination_ports destination=10.2.0.9:443 proto=tcp 3\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	// Fullest first: red (3%) before blue (0.2%).
	if ns := c.state.Namespaces(); len(ns) != 2 || ns[0].Inode != red {
		t.Errorf("namespaces %+v, want red (the fullest of its range) first", ns)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}

	// Many namespaces: at most MaxNetns get series; netns_read counts all.
	var many []sampler.NetnsRange
	var manySocks []sampler.Socket
	for i := range 3 * MaxNetns {
		ino := uint64(5000 + i)
		many = append(many, sampler.NetnsRange{Netns: ino, Range: blueRange})
		for j := range i % 7 {
			manySocks = append(manySocks, in(ino, conn(uint16(1000+j), "10.3.0.9:80", sampler.StateEstablished)))
		}
	}
	b = batch(1, manySocks)
	b.NetnsRanges = many
	c.Observe(b)
	got = collected(t, c)
	if n := strings.Count(got, "porttop_netns_ephemeral_ports_used "); n != MaxNetns {
		t.Errorf("%d namespaces with series, want at most %d", n, MaxNetns)
	}
	if !strings.Contains(got, "porttop_netns_read 60\n") || !strings.Contains(got, "porttop_netns_ephemeral_ports_used netns=5006 netns_name= 6\n") {
		t.Errorf("netns_read or the fullest namespace missing:\n%s", got)
	}
}
