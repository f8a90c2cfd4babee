package churn

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// The panel says, under its title, how many connects failed for want of a
// port and to which destination most did, summed over batches.
func TestViewShowsFailedConnects(t *testing.T) {
	m := scripted()
	if out := viewAt(m, 100, 30); strings.Contains(out, "failed") {
		t.Fatalf("no failures yet, the panel says:\n%s", out)
	}
	db := netip.MustParseAddrPort("10.0.0.5:5432")
	m = m.ObserveFailures([]sampler.FailureCount{
		{Op: sampler.FailedConnect, Errno: 99, Addr: db, Process: "app", Count: 150},
		{Op: sampler.FailedConnect, Errno: 99, Addr: netip.MustParseAddrPort("10.0.0.9:443"), Process: "curl", Count: 2},
	})
	m = m.ObserveFailures([]sampler.FailureCount{{Op: sampler.FailedConnect, Errno: 99, Addr: db, Process: "app", Count: 37}})
	lines := strings.Split(viewAt(m, 100, 30), "\n")
	want := "! 189 connects failed (no free port), most to 10.0.0.5:5432: 187"
	if len(lines) < 3 || !strings.Contains(strings.Join(lines[:3], "\n"), want) {
		t.Errorf("panel's first lines lack %q:\n%s", want, strings.Join(lines, "\n"))
	}
	if n := len(strings.Split(viewAt(m, 100, 5), "\n")); n > 5 {
		t.Errorf("%d lines in a 5-line panel", n)
	}
}
