//go:build !unix

package psutil

const privilegeHint = "run as Administrator to see every process"

// privileged is false where porttop cannot tell: owners missing from the
// table are then reported as hidden.
func privileged() bool { return false }
