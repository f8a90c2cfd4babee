package sampler

import (
	"testing"
	"time"
)

// A Stamp keeps an instant to the nanosecond and says "none" for the zero
// time, both ways: a socket never stamped stays unstamped.
func TestStampRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 7, 14, 20, 7, 123456789, time.UTC)
	s := StampOf(at)
	if s.IsZero() || !s.Time().Equal(at) || s.UnixNano() != at.UnixNano() {
		t.Fatalf("StampOf(%v) = %d, back %v", at, s, s.Time())
	}
	if z := StampOf(time.Time{}); !z.IsZero() || !z.Time().IsZero() {
		t.Fatalf("zero time: stamp %d, back %v", z, z.Time())
	}
	later := StampOf(at.Add(time.Nanosecond))
	if s.Compare(later) != -1 || later.Compare(s) != 1 || s.Compare(StampOf(at)) != 0 {
		t.Fatalf("Compare: %d %d %d", s.Compare(later), later.Compare(s), s.Compare(StampOf(at)))
	}
}
