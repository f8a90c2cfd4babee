//go:build !unix

package main

import (
	"context"
	"os"
)

// stdoutGone cannot tell here; a closed stdout is noticed at the next write.
func stdoutGone(ctx context.Context, f *os.File) <-chan struct{} { return nil }
