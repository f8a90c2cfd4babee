package main

import (
	"context"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

// signalContext ends on SIGINT, SIGTERM or SIGHUP (an SSH session or
// terminal closing), so every command stops cleanly: record flushes and
// syncs its file, the live view restores the terminal. A SIGHUP ignored
// when porttop started (nohup) stays ignored, so 'nohup porttop record'
// goes on after logout.
func signalContext() (context.Context, context.CancelFunc) {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return signal.NotifyContext(context.Background(), sigs...)
}

func goos() string { return runtime.GOOS }

// ignoreBrokenPipe turns a write to a closed pipe into an EPIPE error rather
// than a kill, so a recording file is flushed when `porttop watch | head` ends.
func ignoreBrokenPipe() { signal.Ignore(syscall.SIGPIPE) }
