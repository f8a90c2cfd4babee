package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/sampler/record"
)

// wait is how long any one expected line may take: generous, since the
// machine may be busy; a passing test never waits this long.
const wait = 30 * time.Second

// jsonLine is an event or stats line as a script would read it.
type jsonLine struct {
	Time        string          `json:"time"`
	Event       string          `json:"event"`
	Proto       string          `json:"proto"`
	Local       string          `json:"local"`
	Remote      string          `json:"remote"`
	State       string          `json:"state"`
	Process     string          `json:"process"`
	Range       string          `json:"range"`
	OSEphemeral *bool           `json:"os_ephemeral"`
	HeldMS      *int64          `json:"held_ms"`
	Existing    bool            `json:"existing"`
	Stats       json.RawMessage `json:"stats"`
}

// waitLine reads lines until one satisfies match; it returns it.
func (s *stream) waitLine(what string, match func(jsonLine) bool) jsonLine {
	s.t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		raw := s.next(time.Until(deadline))
		var l jsonLine
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			s.t.Fatalf("line is not JSON: %v\n%s", err, raw)
		}
		if match(l) {
			return l
		}
	}
	s.t.Fatalf("no %s within %v", what, wait)
	return jsonLine{}
}

func TestWatchSeesLoopbackConnection(t *testing.T) {
	for _, source := range []string{"", "gopsutil"} {
		name := source
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			ln := listenLoopback(t)
			lnAddr := ln.Addr().String()
			args := []string{"watch", "--interval", "100ms", "--stats", "200ms"}
			if source != "" {
				args = append(args, "--source", source)
			}
			s := startPorttop(t, args...)

			hdr, err := record.ParseHeader([]byte(s.next(wait)))
			if err != nil {
				t.Fatalf("header: %v", err)
			}
			if hdr.OS == "" || hdr.Interval != 100*time.Millisecond || hdr.Ephemeral.Size() == 0 {
				t.Errorf("header %+v: want an OS, interval 100ms and a range", hdr)
			}
			// The listener was there first: it comes as an existing open.
			s.waitLine("existing open of the listener", func(l jsonLine) bool {
				return l.Event == "open" && l.Local == lnAddr && l.Existing
			})

			pair := connect(t, ln)
			client := fmt.Sprintf("127.0.0.1:%d", pair.clientPort())
			open := s.waitLine("open of the client "+client, func(l jsonLine) bool {
				return l.Event == "open" && l.Local == client && l.Remote == lnAddr
			})
			if open.Existing || open.Proto != "tcp" || open.Remote != lnAddr {
				t.Errorf("open %+v: want a new tcp socket to %s", open, lnAddr)
			}
			if want := ports.ClassOf(pair.clientPort()).String(); open.Range != want {
				t.Errorf("range %q, want %q", open.Range, want)
			}
			if open.OSEphemeral == nil {
				t.Error("os_ephemeral missing")
			}
			if _, err := time.Parse(time.RFC3339Nano, open.Time); err != nil || !strings.HasSuffix(open.Time, "Z") {
				t.Errorf("time %q is not RFC 3339 UTC", open.Time)
			}

			pair.close()
			closed := s.waitLine("close of the client", func(l jsonLine) bool {
				return l.Event == "close" && l.Local == client && l.Remote == lnAddr
			})
			if closed.HeldMS == nil || *closed.HeldMS < 0 {
				t.Errorf("close %+v: want held_ms", closed)
			}
			s.waitLine("a stats line", func(l jsonLine) bool { return len(l.Stats) > 0 })

			if err := s.stop(); err != nil {
				t.Errorf("porttop watch after SIGTERM: %v (want exit 0); stderr:\n%s", err, s.stderr)
			}
		})
	}
}

func TestWatchPortFilter(t *testing.T) {
	ln := listenLoopback(t)
	other := listenLoopback(t)
	port := portOf(ln)
	s := startPorttop(t, "watch", "--interval", "100ms", "--port", fmt.Sprint(port))
	s.next(wait) // header
	s.waitLine("the listener", func(l jsonLine) bool { return l.Local == ln.Addr().String() })
	connect(t, other) // not on the port: must not show
	pair := connect(t, ln)
	client := fmt.Sprintf("127.0.0.1:%d", pair.clientPort())
	s.waitLine("the client's open", func(l jsonLine) bool {
		if !strings.HasSuffix(l.Local, fmt.Sprintf(":%d", port)) && !strings.HasSuffix(l.Remote, fmt.Sprintf(":%d", port)) {
			t.Errorf("event not on port %d passed --port: %+v", port, l)
		}
		return l.Event == "open" && l.Local == client && l.Remote == ln.Addr().String()
	})
}

// `watch --port A --port B` streams both ports, not just the last given.
func TestWatchPortGivenTwice(t *testing.T) {
	a, b := listenLoopback(t), listenLoopback(t)
	s := startPorttop(t, "watch", "--interval", "100ms", "--port", fmt.Sprint(portOf(a)), "--port", fmt.Sprint(portOf(b)))
	hdr, err := record.ParseHeader([]byte(s.next(wait)))
	if want := fmt.Sprintf("%d,%d", portOf(a), portOf(b)); err != nil || hdr.Filter != want {
		t.Errorf("header filter %q (%v), want %q", hdr.Filter, err, want)
	}
	seen := map[string]bool{}
	s.waitLine("both listeners", func(l jsonLine) bool {
		seen[l.Local] = true
		return seen[a.Addr().String()] && seen[b.Addr().String()]
	})
}

func TestRecordThenRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	ln := listenLoopback(t)
	s := startPorttop(t, "record", path, "--interval", "100ms", "--port", fmt.Sprint(portOf(ln)))

	// The recording is flushed at least every second: poll it for the
	// listener, then for the client's open and close.
	readEvents := func() []sampler.Event {
		rec, err := record.LoadFile(path)
		if err != nil {
			return nil // not written yet, or mid-line: try again
		}
		return rec.Events()
	}
	waitFor := func(what string, ok func(sampler.Event) bool) {
		t.Helper()
		deadline := time.Now().Add(wait)
		for time.Now().Before(deadline) {
			for _, e := range readEvents() {
				if ok(e) {
					return
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("%s never reached %s; stderr:\n%s", what, path, s.stderr)
	}
	lnPort := portOf(ln)
	waitFor("the listener", func(e sampler.Event) bool { return e.Socket.Local.Port() == lnPort })
	pair := connect(t, ln)
	cp := pair.clientPort()
	waitFor("the client's open", func(e sampler.Event) bool { return e.Kind == sampler.Opened && e.Socket.Local.Port() == cp })
	pair.close()
	waitFor("the client's close", func(e sampler.Event) bool { return e.Kind == sampler.Closed && e.Socket.Local.Port() == cp })
	if err := s.stop(); err != nil {
		t.Errorf("record after SIGTERM: %v; stderr:\n%s", err, s.stderr)
	}
	if _, ok := <-s.lines; ok {
		t.Error("record wrote to stdout; it should be quiet")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(b), "\n") {
		t.Error("the recording does not end with a whole line after a clean stop")
	}
}

// `porttop watch | head -1` ends when head does, even with no events to
// write (a filter on a port nothing uses keeps the stream idle).
func TestWatchEndsWhenReaderGoes(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to build a pipeline with")
	}
	env := ""
	if len(porttopEnv) > 0 {
		env = "env " + strings.Join(porttopEnv, " ") + " "
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	line := fmt.Sprintf("%s'%s' watch --interval 100ms --port 1 | head -1", env, porttopBin)
	out, err := exec.CommandContext(ctx, "sh", "-c", line).Output()
	if ctx.Err() != nil {
		t.Fatalf("the pipeline did not end within %v after head exited", wait)
	}
	if err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	if _, err := record.ParseHeader(out); err != nil {
		t.Errorf("head -1 got %q, not a header: %v", out, err)
	}
}

// `porttop watch > /dev/full`: a stdout that cannot be written is an error
// (exit 1, one line), unlike a reader that went away.
func TestWatchReportsStdoutWriteFailure(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full to write to: %v", err)
	}
	defer full.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := porttopCmd(ctx, "watch", "--interval", "100ms")
	var errb strings.Builder
	c.Stdout, c.Stderr = full, &errb
	err = c.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != 1 || !strings.HasPrefix(errb.String(), "porttop: writing stdout: ") ||
		!strings.Contains(errb.String(), "no space left on device") || strings.Count(errb.String(), "\n") != 1 {
		t.Errorf("watch > /dev/full: status %d, stderr %q; want 1 and one line saying stdout is full", code, errb.String())
	}
}

// The reader of stdout going away mid-stream ends porttop quietly, status 0.
func TestWatchQuietWhenReaderGoes(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := porttopCmd(ctx, "watch", "--interval", "100ms", "--stats", "100ms")
	var errb strings.Builder
	c.Stdout, c.Stderr = w, &errb
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	// Read the header, then go away: stats lines keep coming, so a write
	// meets the closed pipe whether or not the poll for it fires first.
	if _, err := bufio.NewReader(r).ReadString('\n'); err != nil {
		t.Fatalf("no header: %v", err)
	}
	r.Close()
	err = c.Wait()
	if ctx.Err() != nil {
		t.Fatalf("porttop did not end within a minute of its reader going")
	}
	// Notes (owners hidden from an unprivileged user) may come first; no
	// word of the closed pipe may.
	if said := errb.String(); err != nil || strings.Contains(said, "writing") || strings.Contains(said, "pipe") {
		t.Errorf("reader gone: %v, stderr %q; want status 0 and nothing said of it", err, said)
	}
}

// A reader gone before the header (`porttop watch | true`) ends porttop
// quietly too: status 0, not killed by SIGPIPE (which a shell with pipefail
// reads as a failure).
func TestWatchQuietWhenReaderGoneBeforeHeader(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := porttopCmd(ctx, "watch", "--interval", "100ms")
	var errb strings.Builder
	c.Stdout, c.Stderr = w, &errb
	err = c.Run()
	w.Close()
	if ctx.Err() != nil {
		t.Fatalf("porttop did not end within a minute with no reader")
	}
	if said := errb.String(); err != nil || strings.Contains(said, "writing") || strings.Contains(said, "pipe") {
		t.Errorf("no reader: %v, stderr %q; want status 0 and nothing said of it", err, said)
	}
}
