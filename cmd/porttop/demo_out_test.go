package main

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// demo's output is checked like watch's: a full disk is a failure (exit 1,
// one line), a reader that has read enough (head -1) is a clean end.
func TestDemoOutputFailures(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/dev/full is Linux's")
	}
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full to fill: %v", err)
	}
	defer full.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := porttopCmd(ctx, "demo", "--duration", "30s")
	var errb lockedBuffer
	c.Stdout, c.Stderr = full, &errb
	err = c.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.HasPrefix(errb.String(), "porttop: writing stdout: ") ||
		!strings.Contains(errb.String(), "no space left on device") || strings.Count(errb.String(), "\n") != 1 {
		t.Errorf("demo > /dev/full: %v, stderr %q; want exit 1 and one line saying the disk is full", err, errb.String())
	}

	// demo | head -1: the reader closes after one line.
	c = porttopCmd(ctx, "demo", "--duration", "30s")
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.Stderr = &errb
	errb = lockedBuffer{}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	out.Close()
	if err := c.Wait(); err != nil {
		t.Errorf("demo | head -1: %v, stderr %q; want exit 0 once the reader is gone", err, errb.String())
	}
}
