//go:build !unix && !windows

package main

import (
	"context"
	"os"
)

// stdoutGone cannot tell here; a closed stdout is noticed at the next write.
func stdoutGone(ctx context.Context, f *os.File) <-chan struct{} { return nil }

// readerGone cannot tell a closed pipe from other write errors here, so
// every one is reported: better a needless message than a silent loss.
func readerGone(err error) bool { return false }
