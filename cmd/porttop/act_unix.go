//go:build !windows

package main

import (
	"errors"
	"fmt"
	"syscall"
)

// stopProcess sends SIGTERM to pid, and says in a user's words why not.
func stopProcess(pid int32) error {
	if pid <= 0 {
		return errors.New("no known process holds this socket")
	}
	switch err := syscall.Kill(int(pid), syscall.SIGTERM); {
	case err == nil:
		return nil
	case errors.Is(err, syscall.EPERM):
		return fmt.Errorf("stopping pid %d needs root or its owner's user", pid)
	case errors.Is(err, syscall.ESRCH):
		return fmt.Errorf("pid %d has already exited", pid)
	default:
		return fmt.Errorf("stopping pid %d: %v", pid, err)
	}
}
