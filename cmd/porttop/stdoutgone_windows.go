//go:build windows

package main

import (
	"context"
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/windows"
)

// stdoutGone cannot tell here; a closed stdout is noticed at the next write.
func stdoutGone(ctx context.Context, f *os.File) <-chan struct{} { return nil }

// readerGone: a write to a pipe whose reader closed fails with one of these.
func readerGone(err error) bool {
	return errors.Is(err, windows.ERROR_NO_DATA) || errors.Is(err, syscall.ERROR_BROKEN_PIPE)
}
