package tcpwalk

import (
	"strings"
	"testing"
	"time"
)

func TestParseConfigHZ(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
	}{
		{"CONFIG_HZ_250=y\nCONFIG_HZ=250\n", 250},
		{"# CONFIG_HZ_1000 is not set\nCONFIG_HZ=1000", 1000},
		{"CONFIG_HZ_PERIODIC=y\n", 0},
		{"CONFIG_HZ=x\n", 0},
	} {
		if got := parseConfigHZ(strings.NewReader(c.in)); got != c.want {
			t.Errorf("%q: %d, want %d", c.in, got, c.want)
		}
	}
}

// Without a configuration, HZ comes from two walks calibrateAfter apart,
// rounded to a rate kernels are built with; timers are unknown before.
func TestHZCalibratesFromWalks(t *testing.T) {
	var c hzClock
	t0 := time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC)
	c.observe(1000, t0)
	if !c.ends(1500, 1000, t0).IsZero() {
		t.Fatal("a timer before HZ is known")
	}
	c.observe(1000+260, t0.Add(time.Second)) // too soon
	if c.hz != 0 {
		t.Fatal("calibrated after a second")
	}
	c.observe(1000+2*248, t0.Add(calibrateAfter)) // ~248 jiffies a second
	if c.hz != 250 {
		t.Fatalf("HZ %d, want 250", c.hz)
	}
	at := t0.Add(time.Hour)
	if got, want := c.ends(5000+500, 5000, at), at.Add(2*time.Second); !got.Equal(want) {
		t.Fatalf("500 jiffies left at 250 Hz end at %v, want %v", got, want)
	}
	if got := c.ends(4000, 5000, at); !got.Equal(at) {
		t.Fatalf("a timer already due ends at %v, want now", got)
	}
}
