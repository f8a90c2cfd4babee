package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/record"
)

// tmux drives porttop in a real terminal: a detached tmux server of its own
// (its socket in the test's temp dir), a fixed-size window.
type tmux struct {
	t    *testing.T
	sock string
}

const exitMarker = "PORTTOP_EXIT="

func newTmux(t *testing.T) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: the terminal tests need it to run porttop in a real terminal")
	}
	m := &tmux{t: t, sock: filepath.Join(t.TempDir(), "tmux.sock")}
	t.Cleanup(func() { _ = m.cmd("kill-server").Run() })
	return m
}

func (m *tmux) cmd(args ...string) *exec.Cmd {
	c := exec.Command("tmux", append([]string{"-S", m.sock, "-f", "/dev/null"}, args...)...)
	// tmux runs the pane's command with $SHELL, else the account's login
	// shell: for system users such as nobody that is nologin, and the pane
	// dies at once. Name a shell that runs commands.
	c.Env = append(os.Environ(), "NO_COLOR=1", "SHELL="+paneShell())
	return c
}

func (m *tmux) run(args ...string) string {
	m.t.Helper()
	out, err := m.cmd(args...).CombinedOutput()
	if err != nil {
		m.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// paneShell is bash where there is one: after ctrl+c stops porttop, bash
// goes on to print the exit marker, while dash dies of the same SIGINT and
// takes the pane with it.
func paneShell() string {
	if p, err := exec.LookPath("bash"); err == nil {
		return p
	}
	return "/bin/sh"
}

// shellLine runs porttop and then says how it ended, keeping the pane open.
func shellLine(args ...string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	env := ""
	if len(porttopEnv) > 0 {
		env = "env " + strings.Join(porttopEnv, " ") + " "
	}
	return fmt.Sprintf("%s%s %s; echo %s$?; sleep 600", env, porttopBin, strings.Join(q, " "), exitMarker)
}

// start opens the window running porttop with args, 120x40.
func (m *tmux) start(args ...string) {
	m.run("new-session", "-d", "-x", "120", "-y", "40", "-s", "porttop", shellLine(args...))
}

func (m *tmux) capture(pane string) string {
	return m.run("capture-pane", "-p", "-t", pane)
}

func (m *tmux) keys(pane string, keys ...string) {
	m.run(append([]string{"send-keys", "-t", pane}, keys...)...)
}

// waitFor polls the pane until ok holds; it fails with the last screen.
func (m *tmux) waitFor(pane, what string, ok func(screen string) bool) string {
	m.t.Helper()
	deadline := time.Now().Add(wait)
	var screen string
	for time.Now().Before(deadline) {
		screen = m.capture(pane)
		if ok(screen) {
			return screen
		}
		time.Sleep(100 * time.Millisecond)
	}
	m.t.Fatalf("the screen never showed %s; last screen:\n%s", what, screen)
	return ""
}

// seen polls the pane for at most d and reports whether ok ever held.
func (m *tmux) seen(pane string, d time.Duration, ok func(screen string) bool) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ok(m.capture(pane)) {
			return true
		}
	}
	return false
}

func (m *tmux) waitText(pane, text string) string {
	m.t.Helper()
	return m.waitFor(pane, strconv.Quote(text), func(s string) bool { return strings.Contains(s, text) })
}

// typeKeys sends text a key at a time: keys sent at once reach the view as
// one multi-rune message, not as typing.
func (m *tmux) typeKeys(pane, text string) {
	for _, r := range text {
		m.keys(pane, "-l", string(r))
	}
}

func TestLiveViewInTmux(t *testing.T) {
	m := newTmux(t)
	ln := listenLoopback(t)
	m.start("--interval", "200ms")
	m.waitText("porttop", "PROTO")

	pair := connect(t, ln)
	port := strconv.Itoa(int(pair.clientPort()))
	client := "127.0.0.1:" + port
	// On a machine busy with other connections the row can be below the fold
	// and the feed can scroll past it, so this is only logged; the filtered
	// table below must show it.
	if !m.seen("porttop", 5*time.Second, func(s string) bool {
		return strings.Contains(s, client) || strings.Contains(s, port+"/tcp")
	}) {
		t.Logf("port %s not on the unfiltered screen (a busy machine); filtering for it", port)
	}

	m.keys("porttop", "/")
	m.waitText("porttop", "/ ")
	m.typeKeys("porttop", port)
	m.waitText("porttop", "/ "+port)
	m.keys("porttop", "Enter")
	m.waitText("porttop", "filter: "+port)
	// A port filter gets its own sampling, narrowed in the kernel; the
	// header says so once its first batch is on screen.
	m.waitText("porttop", "filtered view every")
	// Every table row is on the port once the screen settles (a capture can
	// catch a frame half drawn, so this polls too).
	m.waitFor("porttop", "only rows on port "+port+" with the client's", func(s string) bool {
		if !strings.Contains(s, client) {
			return false
		}
		for _, line := range strings.Split(s, "\n") {
			if strings.Contains(line, " tcp ") && !strings.Contains(line, port) {
				return false
			}
		}
		return true
	})

	pair.close()
	m.waitFor("porttop", "the release (- and held)", func(s string) bool {
		return regexp.MustCompile(`(?m)^\S*\s*- .*`+port).MatchString(s) && strings.Contains(s, "held")
	})

	m.keys("porttop", "q")
	screen := m.waitText("porttop", exitMarker)
	if !strings.Contains(screen, exitMarker+"0") {
		t.Errorf("porttop did not exit 0 on q:\n%s", screen)
	}
	if strings.Contains(screen, "PROTO") || strings.Contains(screen, "EVENTS") {
		t.Errorf("the view is still on screen after q; the terminal was not restored:\n%s", screen)
	}
}

var rateRe = regexp.MustCompile(`\+([0-9.]+)/s handed out`)

func TestDemoAndMapInTmux(t *testing.T) {
	m := newTmux(t)
	m.run("new-session", "-d", "-x", "120", "-y", "50", "-s", "porttop", shellLine("demo", "--rate", "50"))
	m.run("split-window", "-v", "-t", "porttop", shellLine("--interval", "200ms"))
	demo, view := "porttop.0", "porttop.1"
	m.waitText(demo, "handed out so far")
	m.waitText(view, "PROTO")
	m.keys(view, "m")
	m.waitText(view, "share in use")
	// Churn shows as a hand-out rate above zero.
	m.waitFor(view, "a non-zero hand-out rate", func(s string) bool {
		for _, g := range rateRe.FindAllStringSubmatch(s, -1) {
			if v, err := strconv.ParseFloat(g[1], 64); err == nil && v > 0 {
				return true
			}
		}
		return false
	})
	m.keys(view, "q")
	m.waitText(view, exitMarker+"0")
	m.keys(demo, "C-c")
	m.waitText(demo, "demo: stopped after")
	m.waitText(demo, exitMarker+"0")
}

func TestReplayInTmux(t *testing.T) {
	const file = "testdata/loopback.jsonl"
	rec, err := record.LoadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var client string
	for _, e := range rec.Events() {
		if e.Kind == sampler.Opened && !e.Existing {
			client = strconv.Itoa(int(e.Socket.Local.Port()))
			break
		}
	}
	if client == "" {
		t.Fatal("the recording holds no new open")
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	m := newTmux(t)
	m.start("replay", abs, "--speed", "4")
	m.waitText("porttop", "replay")
	m.waitText("porttop", client)
	m.waitText("porttop", "held")
	m.keys("porttop", "q")
	m.waitText("porttop", exitMarker+"0")
}

// SIGTERM ends the live view at once, exit status 0, terminal restored.
func TestLiveViewSIGTERMInTmux(t *testing.T) {
	m := newTmux(t)
	m.start("--interval", "200ms")
	m.waitText("porttop", "PROTO")
	shell := strings.TrimSpace(m.run("list-panes", "-t", "porttop", "-F", "#{pane_pid}"))
	children, err := os.ReadFile(fmt.Sprintf("/proc/%s/task/%s/children", shell, shell))
	if err != nil {
		t.Skipf("cannot find porttop's pid without /proc children lists: %v", err)
	}
	pid, err := strconv.Atoi(strings.Fields(string(children) + " x")[0])
	if err != nil {
		t.Fatalf("no child of the pane's shell: %q", children)
	}
	proc, err := os.FindProcess(pid)
	if err != nil {
		t.Fatal(err)
	}
	if err := proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	screen := m.waitText("porttop", exitMarker)
	if !strings.Contains(screen, exitMarker+"0") || strings.Contains(screen, "PROTO") {
		t.Errorf("after SIGTERM want exit 0 and the view gone:\n%s", screen)
	}
}

// Started in a terminal below the minimum size, porttop says so on one line
// and exits 2 rather than drawing a broken screen.
func TestTooSmallTerminalInTmux(t *testing.T) {
	m := newTmux(t)
	m.run("new-session", "-d", "-x", "50", "-y", "12", "-s", "porttop", shellLine())
	screen := m.waitText("porttop", exitMarker)
	flat := strings.ReplaceAll(screen, "\n", "")
	if !strings.Contains(flat, exitMarker+"2") || !strings.Contains(flat, "terminal too small: 50x12") {
		t.Errorf("want one line naming the size and exit 2:\n%s", screen)
	}
	if strings.Contains(flat, "goroutine") || strings.Contains(flat, "panic") {
		t.Errorf("stack trace on screen:\n%s", screen)
	}
}
