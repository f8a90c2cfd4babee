package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

func TestParseInterval(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		problem string
	}{
		{"250ms", 250 * time.Millisecond, ""},
		{"2s", 2 * time.Second, ""},
		{" 1m ", time.Minute, ""},
		{"auto", 0, ""},
		{"Adaptive", 0, ""},
		{"10ms", 10 * time.Millisecond, ""},
		{"0", 0, "positive"},
		{"0s", 0, "positive"},
		{"-1s", 0, "positive"},
		{"1", 0, "unit"},
		{"9ms", 0, "too short"},
		{"2h", 0, "too long"},
		{"soon", 0, "not a duration"},
		{"", 0, "not a duration"},
	}
	for _, tt := range tests {
		got, err := parseInterval(tt.in)
		switch {
		case tt.problem == "" && (err != nil || got != tt.want):
			t.Errorf("parseInterval(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		case tt.problem != "" && (err == nil || !strings.Contains(err.Error(), tt.problem)):
			t.Errorf("parseInterval(%q) error %v, want one saying %q", tt.in, err, tt.problem)
		}
	}
}

func TestParsePortArg(t *testing.T) {
	tests := []struct {
		in    string
		port  uint16
		proto sampler.Proto
		ok    bool
	}{
		{"22", 22, 0, true},
		{"53/udp", 53, sampler.UDP, true},
		{"443/TCP", 443, sampler.TCP, true},
		{"0", 0, 0, true},
		{"65535", 65535, 0, true},
		{"65536", 0, 0, false},
		{"-1", 0, 0, false},
		{"-0", 0, 0, false},
		{"+80", 0, 0, false},
		{"+80/tcp", 0, 0, false},
		{" 80", 80, 0, true},
		{"http", 0, 0, false},
		{"22/sctp", 0, 0, false},
		{"/tcp", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		port, proto, err := parsePortArg(tt.in)
		if (err == nil) != tt.ok || port != tt.port || proto != tt.proto {
			t.Errorf("parsePortArg(%q) = %d, %v, %v; want %d, %v, ok=%v", tt.in, port, proto, err, tt.port, tt.proto, tt.ok)
		}
	}
}

// run in-process: flags after positionals, and the one-line error shape,
// without building the binary.
func TestRunInProcess(t *testing.T) {
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"replay", "nonexistent.jsonl", "--speed", "2"}, 2, "cannot read nonexistent.jsonl"},
		{[]string{"replay", "--speed=2x", "nonexistent.jsonl"}, 2, "cannot read"},
		{[]string{"watch", "--", "--port"}, 2, `unexpected argument "--port"`},
		{[]string{"--interval=0"}, 2, "--interval 0: must be positive"},
		{[]string{"help", "who"}, 0, ""},
		{[]string{"who", "-1"}, 2, `port "-1" is out of range: ports are 0-65535`},
		{[]string{"explain", "-1"}, 2, `port "-1" is out of range: ports are 0-65535`},
		{[]string{"who", "-1/udp"}, 2, `port "-1" is out of range`},
		{[]string{"who", "+80"}, 2, `port "+80" has a sign`},
		{[]string{"explain", "+443/tcp"}, 2, `port "+443" has a sign`},
		{[]string{"who", "-x"}, 2, "unknown flag --x"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run(tt.args, &out, &errb)
		if code != tt.code || !strings.Contains(errb.String(), tt.err) {
			t.Errorf("%v: status %d, stderr %q; want %d and %q", tt.args, code, errb.String(), tt.code, tt.err)
		}
		if code == 2 && strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%v: stderr is not one line: %q", tt.args, errb.String())
		}
	}
}

// --port given again adds a port, as the filter's list 8765,22 would.
func TestPortFlagRepeats(t *testing.T) {
	tests := []struct {
		args       []string
		filterText string
	}{
		{[]string{"--port", "8765"}, "8765"},
		{[]string{"--port", "8765", "--port", "22"}, "8765,22"},
		{[]string{"--port=8765", "--port", " 22", "--port", "8765"}, "8765,22"},
		{[]string{"--port", "22", "--filter", "tcp"}, "22 tcp"},
		{[]string{"--filter", "tcp", "--port", "1", "--port", "2"}, "1,2 tcp"},
	}
	for _, tt := range tests {
		fs := newFlagSet("watch")
		var s sampling
		fs.samplingFlags(&s)
		if _, err := fs.parse(tt.args); err != nil {
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		if got := s.filterText(); got != tt.filterText {
			t.Errorf("%v: filter %q, want %q", tt.args, got, tt.filterText)
		}
	}
}
