package main

import (
	"errors"
	"io/fs"
	"os"

	"github.com/porttop/porttop/ui/safe"
)

// recordPerm: a recording holds pids and process names other users may
// not see live, so only its owner may read it.
const recordPerm = 0o600

// createRecording opens path for a new recording: created 0600, never
// through a symbolic link (a dangling one included), and an existing file
// only with force (then replaced, and made 0600). A refusal is the user's
// choice of path: one line, exit 2.
func createRecording(cmd, path string, force bool) (*os.File, error) {
	name := safe.Text(path)
	if path == "-" {
		return nil, usagef(cmd, "cannot record to \"-\": to write the stream to stdout use 'porttop watch'")
	}
	if fi, err := os.Lstat(path); err == nil {
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			return nil, failf(exitUsage, "cannot record to %s: it is a symbolic link; name a plain file (porttop never writes through a link)", name)
		case !fi.Mode().IsRegular():
			return nil, failf(exitUsage, "cannot record to %s: it is not a regular file", name)
		case !force:
			return nil, failf(exitUsage, "cannot record to %s: it exists; use --force to replace it", name)
		}
	}
	f, err := openNoFollow(path, force, recordPerm)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		switch {
		case errors.Is(err, fs.ErrExist):
			return nil, failf(exitUsage, "cannot record to %s: it exists; use --force to replace it", name)
		case isSymlinkErr(err):
			return nil, failf(exitUsage, "cannot record to %s: it is a symbolic link; name a plain file (porttop never writes through a link)", name)
		}
		return nil, failf(exitUsage, "cannot record to %s: %v", name, err)
	}
	if force {
		_ = f.Chmod(recordPerm) // a replaced file was perhaps readable by all
	}
	return f, nil
}
