//go:build !windows

package main

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The stop key's signal, on a real child: SIGTERM ends it; an exited pid
// and a process of another user are refused in words.
func TestStopProcessSendsSIGTERM(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skipf("no sleep to stop: %v", err)
	}
	if err := (machineActions{}).Stop(int32(cmd.Process.Pid)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
			t.Errorf("child ended with %v, want killed by SIGTERM", err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the child did not end after SIGTERM")
	}
	if err := stopProcess(int32(cmd.Process.Pid)); err == nil || !strings.Contains(err.Error(), "already exited") {
		t.Errorf("stopping an exited pid: %v", err)
	}
	if err := stopProcess(0); err == nil || !strings.Contains(err.Error(), "no known process") {
		t.Errorf("stopping pid 0: %v", err)
	}
	if os.Geteuid() != 0 {
		if err := stopProcess(1); err == nil || !strings.Contains(err.Error(), "needs root") {
			t.Errorf("stopping init as a user: %v, want a refusal saying what it needs", err)
		}
	}
}
