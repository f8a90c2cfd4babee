//go:build linux

package ebpf

import (
	"testing"
	"time"
)

// The reader pauses coalesce after a burst, unless records come so fast
// that a pause as long would fill more than a quarter of the ring.
func TestPauseKeepsTheRingFromFilling(t *testing.T) {
	room := ringSize / ringRecordSize / 4
	for _, c := range []struct {
		n       int
		elapsed time.Duration
		want    time.Duration
	}{
		{0, 0, coalesce},                              // the first pause
		{room, coalesce, coalesce},                    // a quarter of the ring a pause: as fast as allowed
		{1200, coalesce + time.Millisecond, coalesce}, // 1,000 conn/s
		{2 * room, 2 * coalesce, coalesce},            // as fast, over two pauses' time
		{2 * room, coalesce, coalesce / 2},            // twice as fast
		{4 * room, coalesce, coalesce / 4},            // four times
		{room, 365 * 24 * time.Hour, coalesce},        // after a wait in epoll
		{1000 * room, coalesce, minPause},             // no shorter than minPause
		{room + 1, time.Duration(0), coalesce},        // no time told
	} {
		if got := pauseFor(c.n, c.elapsed, ringSize); got != c.want {
			t.Errorf("pauseFor(%d, %v) = %v, want %v", c.n, c.elapsed, got, c.want)
		}
	}
	// The records a pause lets in stay within a quarter of the ring,
	// whatever the rate and the ring's size.
	for _, size := range []int{ringSize, headlessRingSize} {
		room := size / ringRecordSize / 4
		for rate := 1_000; rate <= 10_000_000; rate *= 10 {
			n := rate / 10 // read in the last 100 ms
			d := pauseFor(n, 100*time.Millisecond, size)
			if in := float64(rate) * d.Seconds(); d > minPause && in > float64(room)*1.01 {
				t.Errorf("ring of %d: at %d records/s the pause is %v: %.0f records come in it, more than %d", size, rate, d, in, room)
			}
		}
	}
}

// A probe opened after SetHeadlessRing maps the smaller ring (the one
// the kernel was asked for: its map's size); the live view's keeps the
// default.
func TestHeadlessRing(t *testing.T) {
	requireRoot(t)
	defer SetHeadlessRing(false)
	for _, c := range []struct {
		headless bool
		want     int
	}{{false, ringSize}, {true, headlessRingSize}} {
		SetHeadlessRing(c.headless)
		p := openProbe(t)
		if !p.RingBuffer() {
			p.Close()
			t.Skip("no BPF ring buffer: a perf buffer")
		}
		if got := int(p.events.MaxEntries()); got != c.want || p.ringSize != c.want {
			t.Errorf("headless %v: ring of %d bytes (reader told %d), want %d", c.headless, got, p.ringSize, c.want)
		}
		p.Close()
	}
}
