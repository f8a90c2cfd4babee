package ports

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestParseLinuxPortRange(t *testing.T) {
	cases := []struct {
		in      string
		want    Range
		wantErr string
	}{
		{"32768\t60999\n", Range{32768, 60999}, ""},
		{"1024 65535", Range{1024, 65535}, ""},
		{"", Range{}, "want two port numbers"},
		{"32768\n", Range{}, "want two port numbers"},
		{"60999\t32768\n", Range{}, "above last"},
		{"1 70000", Range{}, "out of range"},
	}
	for _, c := range cases {
		got, err := parseLinuxPortRange(c.in)
		checkParse(t, "linux", c.in, got, err, c.want, c.wantErr)
	}
}

func TestRangeFromFirstLast(t *testing.T) {
	if r, err := rangeFromFirstLast(49152, 65535); err != nil || r != (Range{49152, 65535}) {
		t.Errorf("got %v, %v", r, err)
	}
	if _, err := rangeFromFirstLast(10000, 70000); err == nil {
		t.Error("70000 accepted")
	}
	if _, err := rangeFromFirstLast(600, 500); err == nil {
		t.Error("backwards accepted")
	}
}

func TestParseNetshDynamicPort(t *testing.T) {
	english := "\r\nProtocol tcp Dynamic Port Range\r\n---------------------------------\r\nStart Port      : 49152\r\nNumber of Ports : 16384\r\n\r\n"
	german := "\r\nProtokoll tcp Dynamischer Portbereich\r\n---------------------------------\r\nStartport       : 1025\r\nAnzahl Ports    : 3976\r\n"
	cases := []struct {
		in      string
		want    Range
		wantErr string
	}{
		{english, Range{49152, 65535}, ""},
		{german, Range{1025, 5000}, ""},
		{"Start Port : 60000\nNumber of Ports : 6000\n", Range{}, "does not fit"},
		{"Start Port : 100\nNumber of Ports : 0\n", Range{}, "does not fit"},
		{"The requested operation requires elevation.\n", Range{}, "no start port"},
	}
	for _, c := range cases {
		got, err := parseNetshDynamicPort(c.in)
		checkParse(t, "netsh", c.in, got, err, c.want, c.wantErr)
	}
}

func checkParse(t *testing.T, what, in string, got Range, err error, want Range, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s %q: error %v, want %q", what, in, err, wantErr)
		}
		return
	}
	if err != nil || got != want {
		t.Errorf("%s %q = %v, %v; want %v", what, in, got, err, want)
	}
}

func TestEphemeralRangeHere(t *testing.T) {
	r, source, err := EphemeralRange()
	if source == "" || r.Size() == 0 {
		t.Fatalf("EphemeralRange = %v from %q, %v", r, source, err)
	}
	if err != nil && r != DefaultEphemeral() {
		t.Errorf("on error the default must come back, got %v", r)
	}
	if runtime.GOOS == "linux" {
		if err != nil {
			t.Skipf("cannot read the range here: %v", err)
		}
		if source != "/proc/sys/net/ipv4/ip_local_port_range" {
			t.Errorf("source %q", source)
		}
	}
	t.Logf("ephemeral range %v from %s", r, source)
}

func TestEphemeralFallsBackToDefault(t *testing.T) {
	denied := errors.New("permission denied")
	r, source, err := ephemeralOrDefault(func() (Range, string, error) {
		return Range{}, "/somewhere", denied
	})
	if r != DefaultEphemeral() || source != defaultSource || !errors.Is(err, denied) ||
		!strings.Contains(err.Error(), "reading the ephemeral port range from /somewhere") {
		t.Errorf("got %v from %q, %v", r, source, err)
	}
	r, source, err = ephemeralOrDefault(func() (Range, string, error) {
		return Range{1024, 2047}, "/proc/x", nil
	})
	if r != (Range{1024, 2047}) || source != "/proc/x" || err != nil {
		t.Errorf("got %v from %q, %v", r, source, err)
	}
}
