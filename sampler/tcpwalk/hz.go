package tcpwalk

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"
)

// hzClock turns a TIME_WAIT socket's timer (in jiffies) into the time it
// fires, as sock_diag's idiag_expires does. The kernel's tick rate, HZ,
// comes from its build configuration (configHZ) or, lacking that, from two
// walks' jiffies at least calibrateAfter apart, rounded to a rate kernels
// are built with; until then timers are unknown (zero).
type hzClock struct {
	hz    uint64
	j0    uint64
	t0    time.Time
	have0 bool
}

const calibrateAfter = 2 * time.Second

func newHZClock() hzClock { return hzClock{hz: configHZ()} }

// observe notes a walk's jiffies, read at about at.
func (c *hzClock) observe(j uint64, at time.Time) {
	if c.hz != 0 {
		return
	}
	if !c.have0 {
		c.j0, c.t0, c.have0 = j, at, true
		return
	}
	if d := at.Sub(c.t0); d >= calibrateAfter {
		c.hz = snapHZ(float64(j-c.j0) / d.Seconds())
	}
}

// ends is when a timer expiring at jiffies expires fires, now being
// jiffies at at; zero while HZ is unknown.
func (c *hzClock) ends(expires, now uint64, at time.Time) time.Time {
	if c.hz == 0 {
		return time.Time{}
	}
	left := max(int64(expires-now), 0) // fired but not yet run: 0, as the kernel says
	return at.Add(time.Duration(left) * time.Second / time.Duration(c.hz))
}

// snapHZ rounds a measured tick rate to the nearest CONFIG_HZ choice.
func snapHZ(rate float64) uint64 {
	best := uint64(0)
	for _, hz := range []uint64{100, 250, 300, 1000} {
		if best == 0 || abs(rate-float64(hz)) < abs(rate-float64(best)) {
			best = hz
		}
	}
	return best
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// parseConfigHZ reads CONFIG_HZ from a kernel build configuration; 0 when
// it has none.
func parseConfigHZ(r io.Reader) uint64 {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CONFIG_HZ="); ok {
			if hz, err := strconv.ParseUint(v, 10, 32); err == nil && hz > 0 {
				return hz
			}
		}
	}
	return 0
}
