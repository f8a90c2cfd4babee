package sockettable

import (
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// A TIME_WAIT row whose timer the source reports shows the time left on
// it in AGE, counting down as "-45s" (ss -o's timewait timer); one whose
// timer is unknown (gopsutil, a recording) keeps its age.
func TestTimeWaitAgeCountsDown(t *testing.T) {
	known := mk(sampler.TCP, "10.0.0.5:50000", "1.1.1.1:853", sampler.StateTimeWait, 0, "", 15*time.Second)
	known.TimeWaitEnds = sampler.StampOf(t0.Add(45 * time.Second))
	unknown := mk(sampler.TCP, "10.0.0.5:50001", "1.1.1.1:853", sampler.StateTimeWait, 0, "", 2*time.Second)
	m := newTable(120, 10)
	m.Observe([]sampler.Socket{known, unknown}, nil, t0)
	line := func(v, port string) string {
		for _, l := range strings.Split(v, "\n") {
			if strings.Contains(l, port) {
				return l
			}
		}
		t.Fatalf("no row for %s:\n%s", port, v)
		return ""
	}
	v := viewAt(m, t0, false)
	if l := line(v, ":50000"); !strings.HasSuffix(strings.TrimRight(l, " "), " -45s") {
		t.Errorf("TIME_WAIT with 45s left: %q", l)
	}
	if l := line(v, ":50001"); !strings.HasSuffix(strings.TrimRight(l, " "), " 2.0s") {
		t.Errorf("TIME_WAIT, timer unknown: %q", l)
	}
	v = viewAt(m, t0.Add(40*time.Second), false)
	if l := line(v, ":50000"); !strings.HasSuffix(strings.TrimRight(l, " "), " -5.0s") {
		t.Errorf("40s later: %q", l)
	}
}
