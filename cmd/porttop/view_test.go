package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// quote is a word for the pane's shell.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// `porttop watch | porttop view -` in a terminal shows a connection made
// after it started, under the watching machine's name.
func TestViewOfWatchStreamInTmux(t *testing.T) {
	m := newTmux(t)
	ln := listenLoopback(t)
	port := strconv.Itoa(int(portOf(ln)))
	env := ""
	if len(porttopEnv) > 0 {
		env = "env " + strings.Join(porttopEnv, " ") + " "
	}
	bin := env + quote(porttopBin)
	line := fmt.Sprintf("%s watch --stats 1s --interval 200ms --port %s | %s view -; echo %s$?; sleep 600",
		bin, port, bin, exitMarker)
	m.run("new-session", "-d", "-x", "120", "-y", "40", "-s", "porttop", line)
	m.waitText("porttop", "PROTO")
	m.waitText("porttop", "live stream")
	if host, err := os.Hostname(); err == nil && host != "" {
		m.waitText("porttop", host)
	}
	// The kernel's count arrives with the stats lines.
	m.waitText("porttop", "TCP connections opened: kernel")

	pair := connect(t, ln)
	client := "127.0.0.1:" + strconv.Itoa(int(pair.clientPort()))
	m.waitText("porttop", client)

	m.keys("porttop", "q")
	screen := m.waitText("porttop", exitMarker)
	if !strings.Contains(screen, exitMarker+"0") {
		t.Errorf("view did not exit 0 on q:\n%s", screen)
	}
}

// A finished file is read to its end and the header says the stream ended;
// --follow keeps reading a file as it grows.
func TestViewFileEndsAndFollowsInTmux(t *testing.T) {
	data, err := os.ReadFile("testdata/loopback.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSpace(string(data)), "\n")
	m := newTmux(t)
	abs, _ := filepath.Abs("testdata/loopback.jsonl")
	m.start("view", abs)
	m.waitText("porttop", "stream from vm ended at")
	m.keys("porttop", "q")
	m.waitText("porttop", exitMarker+"0")

	// Followed: the header and a listener first, then the rest appended.
	grow := filepath.Join(t.TempDir(), "growing.jsonl")
	if err := os.WriteFile(grow, []byte(lines[0]+lines[1]), 0o644); err != nil {
		t.Fatal(err)
	}
	m2 := newTmux(t)
	m2.start("view", grow, "--follow")
	m2.waitText("porttop", "live stream growing.jsonl")
	m2.waitText("porttop", "LISTEN")
	f, err := os.OpenFile(grow, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(f, lines[2]); err != nil {
		t.Fatal(err)
	}
	f.Close()
	m2.waitText("porttop", "127.0.0.1:41260")
	if m2.seen("porttop", time.Second, func(s string) bool { return strings.Contains(s, "ended") }) {
		t.Errorf("a followed file's end reads as the stream's end")
	}
	m2.keys("porttop", "q")
	m2.waitText("porttop", exitMarker+"0")
}

func TestViewBadInput(t *testing.T) {
	dir := t.TempDir()
	notOurs := filepath.Join(dir, "access.log")
	if err := os.WriteFile(notOurs, []byte("GET / HTTP/1.1 200\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"view", notOurs}, notOurs + ": not a porttop recording"},
		{[]string{"view", filepath.Join(dir, "missing.jsonl")}, "cannot read " + filepath.Join(dir, "missing.jsonl") + ": no such file or directory"},
		{[]string{"view", dir}, "it is a directory"},
		{[]string{"view", "a", "b"}, `unexpected argument "b"`},
		{[]string{"view", "testdata/loopback.jsonl", "--filter", "10.0.0.0/99"}, "prefix length 99 > 32"},
		{[]string{"view", "testdata/loopback.jsonl"}, "no terminal"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			checkOneLine(t, runPorttop(t, tc.args...), tc.want)
		})
	}
	// A stream on stdin that is not porttop's.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := porttopCmd(ctx, "view", "-")
	c.Stdin = strings.NewReader("hello, this is not JSON\n")
	var out, errb strings.Builder
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	code := 0
	if err != nil {
		code = c.ProcessState.ExitCode()
	}
	checkOneLine(t, result{code: code, stdout: out.String(), stderr: errb.String()}, "stdin: not a porttop recording")
}

func TestViewHelp(t *testing.T) { checkHelp(t, "view") }
