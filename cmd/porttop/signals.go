package main

import (
	"context"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

// signalContext ends on SIGINT or SIGTERM, so every command stops cleanly.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func goos() string { return runtime.GOOS }

// ignoreBrokenPipe turns a write to a closed pipe into an EPIPE error rather
// than a kill, so a recording file is flushed when `porttop watch | head` ends.
func ignoreBrokenPipe() { signal.Ignore(syscall.SIGPIPE) }
