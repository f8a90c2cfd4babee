package explain

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// A port that connects failed to says how many did, and to which address.
func TestExplainSaysConnectsToThePortFailed(t *testing.T) {
	in := base(9400)
	in.Failures.Add([]sampler.FailureCount{
		{Op: sampler.FailedConnect, Errno: 99, Addr: netip.MustParseAddrPort("127.0.0.1:9400"), Process: "python3", Count: 189},
		{Op: sampler.FailedConnect, Errno: 99, Addr: netip.MustParseAddrPort("127.0.0.1:9401"), Process: "python3", Count: 4},
	})
	out := strings.Join(strings.Fields(Text(in, 200)), " ")
	if want := "189 connect() calls to this port failed for want of a free local port (EADDRNOTAVAIL"; !strings.Contains(out, want) {
		t.Errorf("explain 9400 lacks %q:\n%s", want, out)
	}
	if !strings.Contains(out, "to 127.0.0.1:9400 (189)") || strings.Contains(out, "9401") {
		t.Errorf("explain 9400 names the wrong destinations:\n%s", out)
	}
	if out := Text(base(9401+1), 200); strings.Contains(out, "failed") {
		t.Errorf("a port nothing failed to says:\n%s", out)
	}
	udp := in
	udp.Proto = sampler.UDP
	if out := Text(udp, 200); strings.Contains(out, "connect() calls") {
		t.Errorf("9400/udp speaks of TCP failures:\n%s", out)
	}
}
