//go:build !unix

package main

import "os"

// openNoFollow creates path (O_EXCL unless replace). Without O_NOFOLLOW
// the symbolic-link check before it is all there is.
func openNoFollow(path string, replace bool, perm os.FileMode) (*os.File, error) {
	flags := os.O_WRONLY | os.O_CREATE
	if replace {
		flags |= os.O_TRUNC
	} else {
		flags |= os.O_EXCL
	}
	return os.OpenFile(path, flags, perm)
}

func isSymlinkErr(error) bool { return false }
