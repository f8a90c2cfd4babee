package ports

import (
	"runtime"
	"testing"
)

// TestEphemeralRereader: where the range is cheap to read, the rereader
// gives what EphemeralRange read; elsewhere there is none and the range
// read at the start stays.
func TestEphemeralRereader(t *testing.T) {
	read := EphemeralRereader()
	switch runtime.GOOS {
	case "linux", "darwin", "freebsd":
	default:
		if read != nil {
			t.Errorf("%s: a rereader where the range is fixed or costly to read", runtime.GOOS)
		}
		return
	}
	if read == nil {
		t.Fatalf("%s: no rereader", runtime.GOOS)
	}
	want, _, werr := EphemeralRange()
	got, err := read()
	if werr != nil {
		if err == nil {
			t.Errorf("EphemeralRange failed (%v) but the rereader read %v", werr, got)
		}
		t.Skipf("cannot read the range here: %v", werr)
	}
	if err != nil || got != want {
		t.Errorf("rereader = %v, %v; EphemeralRange = %v", got, err, want)
	}
}

// BenchmarkEphemeralRereader is what the poller pays before every sample.
func BenchmarkEphemeralRereader(b *testing.B) {
	read := EphemeralRereader()
	if read == nil {
		b.Skip("the range is not read again here")
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := read(); err != nil {
			b.Skip(err)
		}
	}
}
