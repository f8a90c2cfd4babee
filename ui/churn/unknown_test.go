package churn

import (
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// TestUnknownEphemeralRange: a recording without the range (the zero Range)
// gets no share of it, no warning against it, and says it is unknown, while
// the destinations are still counted.
func TestUnknownEphemeralRange(t *testing.T) {
	socks := clients(37643, 2, "[::1]:8765", sampler.StateEstablished)
	socks = append(socks, clients(40000, 1, "10.0.0.5:5432", sampler.StateEstablished)...)
	for _, eph := range []ports.Range{{}, {Lo: 2, Hi: 1}} {
		m := New(plainStyles(), eph, 0.5).Observe(sampler.Snapshot{Sockets: socks}, nil, scriptStart)
		if w := m.Warnings(); len(w) != 0 {
			t.Errorf("range %+v: Warnings = %q; want none", eph, w)
		}
		out := viewAt(m, 100, 12)
		for _, bad := range []string{"%", "WARN", "range 0", "(1 port"} {
			if strings.Contains(out, bad) {
				t.Errorf("range %+v: view shows %q:\n%s", eph, bad, out)
			}
		}
		for _, want := range []string{"OS ephemeral range unknown", "tcp [::1]:8765", "range unknown: no share"} {
			if !strings.Contains(out, want) {
				t.Errorf("range %+v: view lacks %q:\n%s", eph, want, out)
			}
		}
	}
}

// TestOnePortSingular: a range of one port and one port held read in the
// singular.
func TestOnePortSingular(t *testing.T) {
	m := New(plainStyles(), ports.Range{Lo: 40000, Hi: 40000}, 0.5).
		Observe(sampler.Snapshot{Sockets: clients(40000, 1, "10.0.0.5:5432", sampler.StateEstablished)}, nil, scriptStart)
	if w := m.Warnings(); len(w) != 1 || !strings.Contains(w[0], "holds the only port of the ephemeral range 40000: the range is full") {
		t.Errorf("Warnings = %q; want one, in the singular", w)
	}
	if out := viewAt(m, 100, 12); !strings.Contains(out, "(1 port)") {
		t.Errorf("title not in the singular:\n%s", out)
	}
}
