package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// porttopBin is the binary the end-to-end tests run; porttopEnv is added to
// its environment.
var (
	porttopBin string
	porttopEnv []string
)

// asMain makes the test binary act as porttop itself: the fallback when the
// binary cannot be built (an unprivileged user without a Go build cache).
const asMain = "PORTTOP_TEST_AS_MAIN"

// childModes are other programs the test binary can be, chosen by the
// environment variable testChild (see hostile_linux_test.go).
var childModes = map[string]func(){}

const testChild = "PORTTOP_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(asMain) == "1" {
		main()
		return
	}
	if f := childModes[os.Getenv(testChild)]; f != nil {
		f()
		return
	}
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "porttop-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// Others must reach the binary when tests run it as another user.
	_ = os.Chmod(dir, 0o755)
	porttopBin = filepath.Join(dir, "porttop")
	args := []string{"build", "-o", porttopBin}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command(goTool(), append(args, ".")...)
	if out, err := build.CombinedOutput(); err != nil {
		self, serr := os.Executable()
		if serr != nil {
			fmt.Fprintf(os.Stderr, "e2e: go build failed (%v) and the test binary cannot be found: %v\n%s", err, serr, out)
			return 1
		}
		fmt.Fprintf(os.Stderr, "e2e: go build failed here (%v); running the test binary as porttop instead\n", err)
		porttopBin, porttopEnv = self, []string{asMain + "=1"}
	}
	return m.Run()
}

// goTool finds the go command: on PATH (go test puts it there), else in
// $GOROOT.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if p := filepath.Join(os.Getenv("GOROOT"), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func porttopCmd(ctx context.Context, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, porttopBin, args...)
	c.Env = append(append(os.Environ(), porttopEnv...), "NO_COLOR=1")
	c.Cancel = func() error { return c.Process.Signal(syscall.SIGTERM) }
	c.WaitDelay = 10 * time.Second
	return c
}

// result is a finished run.
type result struct {
	code           int
	stdout, stderr string
}

// runPorttop runs porttop to completion (at most a minute).
func runPorttop(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := porttopCmd(ctx, args...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("porttop %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// stream is a running porttop whose stdout lines arrive on a channel.
type stream struct {
	t      *testing.T
	cmd    *exec.Cmd
	lines  chan string
	stderr *lockedBuffer
	done   chan struct{}
	err    error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startPorttop(t *testing.T, args ...string) *stream {
	t.Helper()
	return startCmd(t, porttopCmd(context.Background(), args...))
}

// startCmd starts c (porttop, maybe run by another command) as startPorttop does.
func startCmd(t *testing.T, c *exec.Cmd) *stream {
	t.Helper()
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &stream{t: t, cmd: c, lines: make(chan string, 1<<16), stderr: &lockedBuffer{}, done: make(chan struct{})}
	c.Stderr = s.stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	go func() {
		s.err = c.Wait()
		close(s.done)
	}()
	t.Cleanup(func() { s.stop() })
	return s
}

// next returns the next stdout line, failing the test after wait.
func (s *stream) next(wait time.Duration) string {
	s.t.Helper()
	select {
	case l, ok := <-s.lines:
		if !ok {
			s.t.Fatalf("porttop ended early; stderr:\n%s", s.stderr)
		}
		return l
	case <-time.After(wait):
		s.t.Fatalf("no line from porttop within %v; stderr:\n%s", wait, s.stderr)
	}
	return ""
}

// stop sends SIGTERM and waits; it returns the exit error (nil: status 0).
func (s *stream) stop() error {
	select {
	case <-s.done:
		return s.err
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	return s.err
}

// loopbackPair opens a listener and a connected client on 127.0.0.1. The
// client closes with a reset (linger 0) so that its port is released at once
// rather than held in TIME_WAIT, and the close is visible within a sample.
type loopbackPair struct {
	ln     net.Listener
	client *net.TCPConn
	server net.Conn
}

func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func connect(t *testing.T, ln net.Listener) *loopbackPair {
	t.Helper()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	p := &loopbackPair{ln: ln, client: c.(*net.TCPConn), server: srv}
	t.Cleanup(func() { p.close() })
	return p
}

func (p *loopbackPair) clientPort() uint16 {
	return uint16(p.client.LocalAddr().(*net.TCPAddr).Port)
}

func (p *loopbackPair) close() {
	_ = p.client.SetLinger(0)
	p.client.Close()
	p.server.Close()
}

func portOf(ln net.Listener) uint16 { return uint16(ln.Addr().(*net.TCPAddr).Port) }
