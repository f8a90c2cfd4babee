//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// stdoutGone closes its channel when whoever reads stdout has gone (the
// `head` of `porttop watch | head -5`), so an idle stream ends then rather
// than at its next event. It checks twice a second.
func stdoutGone(ctx context.Context, f *os.File) <-chan struct{} {
	gone := make(chan struct{})
	fd := int(f.Fd())
	go func() {
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			fds := []unix.PollFd{{Fd: int32(fd)}}
			if n, err := unix.Poll(fds, 0); err == nil && n > 0 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
				close(gone)
				return
			}
		}
	}()
	return gone
}

// readerGone tells whether a write to stdout failed because its reader went
// away: EPIPE from a pipe (SIGPIPE is ignored while streaming), ECONNRESET
// from a socket. Anything else (ENOSPC, EIO) is a real failure.
func readerGone(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)
}
