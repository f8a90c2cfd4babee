//go:build unix

package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SIGHUP (an SSH session dropping) ends record as SIGTERM does: exit 0,
// the file flushed, every line whole.
func TestRecordSIGHUP(t *testing.T) {
	defaultSIGHUPForChildren(t)
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	s := startPorttop(t, "record", path, "--interval", "100ms")
	waitFileGrows(t, path)
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		t.Fatal("record did not end on SIGHUP")
	}
	if s.err != nil {
		t.Fatalf("record after SIGHUP: %v (want exit 0); stderr:\n%s", s.err, s.stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil || !strings.HasSuffix(string(b), "\n") {
		t.Errorf("the recording does not end with a whole line: %v %q", err, b[max(0, len(b)-80):])
	}
}

// defaultSIGHUPForChildren gives the programs the test starts SIGHUP's
// default disposition even when the test itself was started with it
// ignored (under nohup), which porttop keeps by design (signals.go): exec
// resets a handled signal to its default but leaves an ignored one
// ignored, so the test handles it while it runs.
func defaultSIGHUPForChildren(t *testing.T) {
	if !signal.Ignored(syscall.SIGHUP) {
		return
	}
	signal.Notify(make(chan os.Signal, 1), syscall.SIGHUP)
	t.Cleanup(func() { signal.Ignore(syscall.SIGHUP) })
}

// paneProcess is the pid of the pane's shell's child: porttop.
func paneProcess(t *testing.T, m *tmux) *os.Process {
	t.Helper()
	shell := strings.TrimSpace(m.run("list-panes", "-t", "porttop", "-F", "#{pane_pid}"))
	children, err := os.ReadFile(fmt.Sprintf("/proc/%s/task/%s/children", shell, shell))
	if err != nil {
		t.Skipf("cannot find porttop's pid without /proc children lists: %v", err)
	}
	pid, err := strconv.Atoi(strings.Fields(string(children) + " x")[0])
	if err != nil {
		t.Fatalf("no child of the pane's shell: %q", children)
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// SIGHUP ends the live view like SIGTERM: exit 0, the terminal restored.
func TestLiveViewSIGHUPInTmux(t *testing.T) {
	m := newTmux(t)
	m.start("--interval", "200ms")
	m.waitText("porttop", "PROTO")
	if err := paneProcess(t, m).Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	screen := m.waitText("porttop", exitMarker)
	if !strings.Contains(screen, exitMarker+"0") || strings.Contains(screen, "PROTO") {
		t.Errorf("after SIGHUP want exit 0 and the view gone (terminal restored):\n%s", screen)
	}
}

// With SIGHUP ignored (nohup, or a shell trap that ignores HUP), the live
// view still ends when its terminal goes away, rather than drawing to
// nothing for ever.
func TestLiveViewEndsWhenTerminalGoesWithSIGHUPIgnored(t *testing.T) {
	m := newTmux(t)
	env := ""
	if len(porttopEnv) > 0 {
		env = "env " + strings.Join(porttopEnv, " ") + " "
	}
	m.run("new-session", "-d", "-x", "120", "-y", "40", "-s", "porttop",
		fmt.Sprintf("trap '' HUP; exec %s%s --interval 200ms", env, porttopBin))
	m.waitText("porttop", "PROTO")
	pid, _ := strconv.Atoi(strings.TrimSpace(m.run("list-panes", "-t", "porttop", "-F", "#{pane_pid}")))
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("cannot read porttop's signal mask: %v", err)
	}
	if !sigHUPIgnored(string(status)) {
		t.Fatalf("SIGHUP is not ignored in porttop (pid %d): the test proves nothing:\n%s", pid, status)
	}
	m.run("kill-server") // the terminal goes away
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err != nil || procState(string(b)) == "Z" {
			return
		}
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	t.Fatalf("porttop (pid %d) kept running after its terminal went away", pid)
}

// sigHUPIgnored reads SigIgn from /proc/PID/status: bit 0 is SIGHUP.
func sigHUPIgnored(status string) bool {
	for _, l := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(l, "SigIgn:"); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return err == nil && mask&1 != 0
		}
	}
	return false
}

// procState is the state field of /proc/PID/stat (after the name).
func procState(stat string) string {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 || i+3 > len(stat) {
		return ""
	}
	return stat[i+2 : i+3]
}
