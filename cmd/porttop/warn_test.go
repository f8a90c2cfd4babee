package main

import (
	"strings"
	"testing"
)

// --warn sets the churn panel's WARN threshold, as a percentage or a
// share, for the live view and replay; anything outside (0, 100%] is one
// clear usage line.
func TestWarnFlag(t *testing.T) {
	for _, cmd := range []string{"", "replay"} {
		for _, tc := range []struct {
			arg  string
			want float64
		}{{"50%", 0.5}, {"0.25", 0.25}, {"100%", 1}, {"5%", 0.05}} {
			fs := newFlagSet(cmd)
			var d display
			fs.displayFlags(&d)
			if _, err := fs.parse([]string{"--warn", tc.arg}); err != nil || d.warn != tc.want {
				t.Errorf("%s --warn %s: %v, %v; want %v", cmd, tc.arg, d.warn, err, tc.want)
			}
		}
		for _, bad := range []string{"0", "150%", "abc", "-5%", ""} {
			fs := newFlagSet(cmd)
			var d display
			fs.displayFlags(&d)
			_, err := fs.parse([]string{"--warn", bad})
			if err == nil || !strings.Contains(err.Error(), "--warn") || !strings.Contains(err.Error(), "at most 100%") {
				t.Errorf("%s --warn %q: %v", cmd, bad, err)
			}
		}
	}
	var d display
	newFlagSet("").displayFlags(&d)
	if d.warn != 0 {
		t.Errorf("no --warn: %v, want 0 (the default)", d.warn)
	}
}
