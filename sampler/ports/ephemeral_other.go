//go:build !linux && !darwin && !freebsd && !windows

package ports

import (
	"errors"
	"runtime"
)

// On other systems porttop assumes IANA's dynamic range.
var defaultEphemeral = Range{49152, 65535}

const defaultSource = "assumed: IANA dynamic range"

func readEphemeral() (Range, string, error) {
	return Range{}, "this OS (" + runtime.GOOS + ")", errors.New("porttop cannot read the ephemeral port range here")
}
