package churn

import (
	"math"
	"testing"
)

func TestSparkline(t *testing.T) {
	tests := []struct {
		in   []uint32
		want string
	}{
		{nil, ""},
		{[]uint32{0, 0, 0}, "   "},
		{[]uint32{1}, "█"},
		{[]uint32{0, 1, 2, 3, 4, 5, 6, 7, 8}, " ▁▂▃▄▅▆▇█"},
		{[]uint32{1, 1000}, "▁█"},
		{[]uint32{500, 1000, 0, 999}, "▄█ █"},
	}
	for _, tt := range tests {
		if got := Sparkline(tt.in); got != tt.want {
			t.Errorf("Sparkline(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestGauge(t *testing.T) {
	tests := []struct {
		share float64
		width int
		want  string
	}{
		{0, 4, "░░░░"},
		{0.5, 4, "██░░"},
		{1, 4, "████"},
		{1.7, 4, "████"},
		{0.001, 4, "█░░░"}, // any use shows
		{-1, 3, "░░░"},
		{math.NaN(), 2, "░░"},
		{0.5, 0, ""},
		{0.5, -3, ""},
	}
	for _, tt := range tests {
		if got := Gauge(tt.share, tt.width); got != tt.want {
			t.Errorf("Gauge(%v, %d) = %q; want %q", tt.share, tt.width, got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		share float64
		want  string
	}{
		{0, "0%"},
		{0.574, "57%"},
		{0.4999, "49%"}, // rounded down: never reads as the 50% threshold
		{0.5, "50%"},
		{0.29, "29%"}, // not 28% from float error
		{1.2, "120%"},
		{math.NaN(), "0%"},
	}
	for _, tt := range tests {
		if got := Percent(tt.share); got != tt.want {
			t.Errorf("Percent(%v) = %q; want %q", tt.share, got, tt.want)
		}
	}
}

func TestCommas(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 16210: "16,210", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := commas(n); got != want {
			t.Errorf("commas(%d) = %q; want %q", n, got, want)
		}
	}
}

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"0.5", 0.5, false},
		{"50%", 0.5, false},
		{" 80% ", 0.8, false},
		{"1", 1, false},
		{"100%", 1, false},
		{"0", 0, true},
		{"150%", 0, true},
		{"1.5", 0, true},
		{"-0.2", 0, true},
		{"half", 0, true},
		{"", 0, true},
		{"NaN", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseThreshold(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseThreshold(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
