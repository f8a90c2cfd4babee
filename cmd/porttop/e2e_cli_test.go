package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
)

// checkOneLine asserts the shape of every usage error: one line on stderr,
// "porttop: " first, nothing on stdout, no crash text.
func checkOneLine(t *testing.T, r result, want string) {
	t.Helper()
	if r.code != 2 {
		t.Errorf("exit status %d, want 2 (stderr %q)", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "porttop: ") {
		t.Errorf("stderr is not one \"porttop: \" line:\n%s", r.stderr)
	}
	for _, bad := range []string{"goroutine", "panic", "Usage of", "-h\t", "defaults"} {
		if strings.Contains(r.stderr, bad) {
			t.Errorf("stderr holds %q:\n%s", bad, r.stderr)
		}
	}
	if want != "" && !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q does not say %q", r.stderr, want)
	}
	if r.stdout != "" {
		t.Errorf("stdout not empty: %q", r.stdout)
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--port", "70000"}, "out of range"},
		{[]string{"--port", "abc"}, "not a number"},
		{[]string{"--port", "-1"}, "--port"},
		{[]string{"--port", "+22"}, "--port +22: has a sign"},
		{[]string{"watch", "--port", "+80"}, "--port +80: has a sign"},
		{[]string{"watch", "--port", "22", "--port", "+80"}, "--port +80: has a sign"},
		{[]string{"who", "-1"}, `port "-1" is out of range: ports are 0-65535`},
		{[]string{"explain", "-1"}, `port "-1" is out of range: ports are 0-65535`},
		{[]string{"who", "+80"}, `port "+80" has a sign`},
		{[]string{"--port"}, "needs a value"},
		{[]string{"--interval", "0"}, "positive"},
		{[]string{"--interval", "-1s"}, "positive"},
		{[]string{"--interval", "1"}, "unit"},
		{[]string{"--interval", "1ns"}, "too short"},
		{[]string{"--theme", "pink"}, "projector"},
		{[]string{"--source", "carrier-pigeon"}, "gopsutil"},
		{[]string{"--filter", "pid:abc"}, "filter"},
		{[]string{"--filter", "10.0.0.0/99"}, `filter term "10.0.0.0/99": not an address or network (prefix length 99 > 32)`},
		{[]string{"watch", "--filter", "10.0.0.0/99"}, "prefix length 99 > 32"},
		{[]string{"watch", "--filter", "300.1.1.1"}, `filter term "300.1.1.1": not an address`},
		{[]string{"watch", "--filter", "127.0.0.1:99999"}, `port "99999" is out of range`},
		{[]string{"watch", "--filter", "[::1"}, "has no closing ]"},
		{[]string{"--bogus"}, "unknown flag --bogus"},
		{[]string{"-x"}, "unknown flag --x"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"8080"}, "porttop who 8080"},
		{[]string{"--port", "80", "extra"}, "unexpected argument"},
		{[]string{"watch", "--port", "70000"}, "porttop watch --help"},
		{[]string{"watch", "--interval", "0"}, "positive"},
		{[]string{"watch", "--stats", "soon"}, "duration"},
		{[]string{"watch", "--quiet"}, "--record"},
		{[]string{"watch", "extra"}, "unexpected argument"},
		{[]string{"record"}, "FILE"},
		{[]string{"record", "a", "b"}, "one FILE"},
		{[]string{"record", "/nonexistent-dir/x.jsonl"}, "cannot record"},
		{[]string{"replay"}, "FILE"},
		{[]string{"replay", "x", "--speed", "100"}, "0.25 to 16"},
		{[]string{"replay", "x", "--speed", "0"}, "0.25 to 16"},
		{[]string{"replay", "x", "--speed", "fast"}, "0.25 to 16"},
		{[]string{"replay", "/nonexistent-file.jsonl"}, "cannot read"},
		{[]string{"replay", "main.go"}, "not a porttop recording"},
		{[]string{"replay", "testdata"}, "directory"},
		{[]string{"explain"}, "one PORT"},
		{[]string{"explain", "70000"}, "out of range"},
		{[]string{"explain", "22/sctp"}, "tcp or udp"},
		{[]string{"explain", "22", "23"}, "one PORT"},
		{[]string{"who"}, "one PORT"},
		{[]string{"who", "abc"}, "not a number"},
		{[]string{"demo", "--rate", "0"}, "1 to 1000"},
		{[]string{"demo", "--rate", "1000000"}, "1 to 1000"},
		{[]string{"demo", "--duration", "-5s"}, "positive"},
		{[]string{"demo", "--duration", "99999999999h"}, "--duration 99999999999h: too long"},
		{[]string{"watch", "--interval", "9999999999999h"}, "--interval 9999999999999h: too long: the most is 1h"},
		{[]string{"watch", "--stats", "99999999999999h"}, "--stats 99999999999999h: too long"},
		{[]string{"--filter", "tcp", "--filter", "80"}, "--filter 80: given twice (first tcp)"},
		{[]string{"watch", "--filter", "tcp", "--filter", "80"}, "given twice"},
		{[]string{"replay", "x", "--filter", "a", "--filter", "b"}, "given twice"},
		{[]string{"snapshot", "--filter", "tcp", "--filter", "80"}, "given twice"},
		{[]string{"view", "-", "--filter", "a", "--filter", "b"}, "given twice"},
		{[]string{"help", "nope"}, "not a command"},
		{[]string{"version", "now"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			checkOneLine(t, runPorttop(t, tt.args...), tt.want)
		})
	}
}

// Without a terminal the live view refuses, and says what to use instead.
func TestLiveViewNeedsTerminal(t *testing.T) {
	for _, args := range [][]string{nil, {"--port", "22"}, {"replay", "testdata/loopback.jsonl"}} {
		r := runPorttop(t, args...)
		checkOneLine(t, r, "no terminal")
		if !strings.Contains(r.stderr, "porttop watch") {
			t.Errorf("%v: stderr %q does not point at 'porttop watch'", args, r.stderr)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		r := runPorttop(t, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "porttop watch [flags]") || !strings.Contains(r.stdout, "adapts") {
			t.Errorf("%v: status %d, stdout:\n%s", args, r.code, r.stdout)
		}
	}
	for _, cmd := range []string{"watch", "record", "replay", "explain", "who", "demo"} {
		for _, args := range [][]string{{"help", cmd}, {cmd, "--help"}} {
			r := runPorttop(t, args...)
			if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: porttop "+cmd) {
				t.Errorf("%v: status %d, stdout:\n%s", args, r.code, r.stdout)
			}
		}
	}
	r := runPorttop(t, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "porttop ") {
		t.Errorf("version: status %d, stdout %q", r.code, r.stdout)
	}
}

func TestWho(t *testing.T) {
	ln := listenLoopback(t)
	port := portOf(ln)
	r := runPorttop(t, "who", fmt.Sprint(port))
	if r.code != 0 {
		t.Fatalf("who on a listening port: status %d, stderr %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "PROTO LOCAL REMOTE STATE PID PROCESS USER TIMER" {
		t.Fatalf("want a header row and one line for the one listener, got:\n%s", r.stdout)
	}
	f := strings.Fields(lines[1])
	if len(f) != 8 || f[0] != "tcp" || f[1] != fmt.Sprintf("127.0.0.1:%d", port) || f[2] != "*" || f[3] != "LISTEN" || f[4] != fmt.Sprint(os.Getpid()) || f[7] != "-" {
		t.Errorf("line %q, want tcp 127.0.0.1:%d * LISTEN %d process user -", lines[1], port, os.Getpid())
	}

	// --json: one object per socket, under watch's field names.
	r = runPorttop(t, "who", "--json", fmt.Sprint(port))
	var obj map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &obj); r.code != 0 || err != nil || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("who --json: status %d, %v, want one object:\n%s", r.code, err, r.stdout)
	}
	for k, want := range map[string]any{"proto": "tcp", "local": fmt.Sprintf("127.0.0.1:%d", port), "state": "LISTEN", "pid": float64(os.Getpid()), "range": "registered"} {
		if k == "range" && port >= 49152 {
			want = "dynamic"
		}
		if obj[k] != want {
			t.Errorf("who --json: %s is %v, want %v: %s", k, obj[k], want, r.stdout)
		}
	}
	for _, k := range []string{"time", "process", "uid", "os_ephemeral"} {
		if _, ok := obj[k]; !ok {
			t.Errorf("who --json: no %q field: %s", k, r.stdout)
		}
	}
	if _, ok := obj["event"]; ok {
		t.Errorf("who --json: a socket is no event: %s", r.stdout)
	}

	r = runPorttop(t, "who", fmt.Sprintf("%d/udp", port))
	if r.code != 1 {
		t.Errorf("who PORT/udp on a tcp-only port: status %d, want 1", r.code)
	}

	// A listener's empty remote end is no use of port 0.
	r = runPorttop(t, "who", "0")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "no socket holds port 0") {
		t.Errorf("who 0: status %d, stdout %q, stderr %q; want 1, nothing, \"no socket holds port 0\"", r.code, r.stdout, r.stderr)
	}
	r = runPorttop(t, "explain", "0")
	if r.code != 0 || strings.Contains(r.stdout, "is in use") || !strings.Contains(strings.Join(strings.Fields(r.stdout), " "), "no socket holds port 0") {
		t.Errorf("explain 0 beside a listener: status %d, stdout:\n%s", r.code, r.stdout)
	}

	free := freePort(t)
	r = runPorttop(t, "who", fmt.Sprint(free))
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "free") {
		t.Errorf("who on a free port: status %d, stdout %q, stderr %q; want 1, nothing, \"free\"", r.code, r.stdout, r.stderr)
	}
}

// freePort is a port nothing listens on (it was free a moment ago).
func freePort(t *testing.T) uint16 {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := portOf(ln)
	ln.Close()
	return p
}

func TestExplain(t *testing.T) {
	r := runPorttop(t, "explain", "22")
	if r.code != 0 || !strings.Contains(r.stdout, "Port 22") || !strings.Contains(r.stdout, "well-known") {
		t.Errorf("explain 22: status %d, stdout:\n%s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	r = runPorttop(t, "explain", "60716")
	if r.code != 0 || !strings.Contains(r.stdout, "60716") || !strings.Contains(r.stdout, "dynamic") {
		t.Errorf("explain 60716: status %d, stdout:\n%s", r.code, r.stdout)
	}
	ln := listenLoopback(t)
	r = runPorttop(t, "explain", fmt.Sprintf("%d/tcp", portOf(ln)))
	if r.code != 0 || !strings.Contains(r.stdout, "in use") {
		t.Errorf("explain on a listening port: status %d, stdout:\n%s", r.code, r.stdout)
	}
	for _, line := range strings.Split(r.stdout, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("line wider than 80 columns without a terminal: %q", line)
		}
	}
	checkOneLine(t, runPorttop(t, "explain", "70000"), "out of range")
}
