//go:build unix

package main

import (
	"errors"
	"os"
	"syscall"
)

// openNoFollow creates path (O_EXCL unless replace), refusing to follow a
// symbolic link in its last component even if one appeared since the check.
func openNoFollow(path string, replace bool, perm os.FileMode) (*os.File, error) {
	flags := os.O_WRONLY | os.O_CREATE | syscall.O_NOFOLLOW | syscall.O_CLOEXEC
	if replace {
		flags |= os.O_TRUNC
	} else {
		flags |= os.O_EXCL
	}
	return os.OpenFile(path, flags, perm)
}

func isSymlinkErr(err error) bool {
	return errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK)
}
